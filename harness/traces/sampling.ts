/**
 * Exact binomial statistics for sampling-rate assertions. "k of n requests were traced" is binomial(n, p) under
 * a ratio sampler with ratio p, so a verdict is an exact two-sided binomial test at a chosen false-alarm
 * probability, never a tolerance band picked by eye; the scenario asks `requiredSampleSize` how many requests
 * to send to tell the configured ratio from a wrong one with a given power.
 */

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1] + Math.log(i);
  return logFactorials[n];
}

export function logBinomPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return -Infinity;
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

export function binomPmf(k: number, n: number, p: number): number {
  return Math.exp(logBinomPmf(k, n, p));
}

/** P(X <= k) for X ~ binomial(n, p). */
export function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += binomPmf(i, n, p);
  return Math.min(1, sum);
}

/** P(X >= k). */
export function binomSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  let sum = 0;
  for (let i = k; i <= n; i++) sum += binomPmf(i, n, p);
  return Math.min(1, sum);
}

/**
 * Exact two-sided p-value: the probability, under p, of every outcome no more likely than the one observed (the
 * "minimum likelihood" method R's binom.test uses). A relative tolerance keeps ties from being lost to rounding.
 */
export function binomTwoSidedPValue(k: number, n: number, p: number): number {
  const observed = binomPmf(k, n, p);
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const pi = binomPmf(i, n, p);
    if (pi <= observed * (1 + 1e-7)) sum += pi;
  }
  return Math.min(1, sum);
}

function bisect(f: (x: number) => number, lo: number, hi: number): number {
  // f is monotone increasing on [lo, hi] with a sign change; 60 halvings give ~1e-18 precision.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Clopper-Pearson) 1 - alpha interval for p, from the binomial tails themselves. */
export function clopperPearson(k: number, n: number, alpha: number): [number, number] {
  const lower = k === 0 ? 0 : bisect((p) => binomSf(k, n, p) - alpha / 2, 0, 1);
  const upper = k === n ? 1 : bisect((p) => alpha / 2 - binomCdf(k, n, p), 0, 1);
  return [lower, upper];
}

/** Wilson score interval (an approximation; reported for reference, not used for verdicts). */
export function wilsonInterval(k: number, n: number, alpha: number): [number, number] {
  const z = normalQuantile(1 - alpha / 2);
  const phat = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (phat + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((phat * (1 - phat)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9). */
export function normalQuantile(q: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (q < lowTail) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (
      (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
      ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    );
  }
  if (q > 1 - lowTail) return -normalQuantile(1 - q);
  const t = q - 0.5;
  const r = t * t;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export interface SamplingVerdict {
  consistent: boolean;
  pValue: number;
  interval: [number, number];
  message: string;
}

/** Is "k of n traced" consistent with ratio p, at false-alarm probability alpha? */
export function samplingConsistent(a: { n: number; k: number; p: number; alpha: number }): SamplingVerdict {
  if (!Number.isInteger(a.n) || a.n < 1 || !Number.isInteger(a.k) || a.k < 0 || a.k > a.n) {
    throw new Error(`sampling: need whole numbers 0 <= k <= n and n >= 1, got k=${a.k} n=${a.n}`);
  }
  const pValue = binomTwoSidedPValue(a.k, a.n, a.p);
  const interval = clopperPearson(a.k, a.n, a.alpha);
  const consistent = pValue >= a.alpha;
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const message =
    `observed ${a.k}/${a.n} = ${pct(a.k / a.n)} traced; expected ratio ${pct(a.p)}; ` +
    `${pct(1 - a.alpha)} Clopper-Pearson interval [${pct(interval[0])}, ${pct(interval[1])}]; ` +
    `exact two-sided p-value ${pValue.toPrecision(3)} ${consistent ? '>=' : '<'} alpha ${a.alpha}: ` +
    (consistent ? 'consistent with the configured ratio' : 'NOT consistent with the configured ratio');
  return { consistent, pValue, interval, message };
}

/** The outcomes k the exact test at level alpha does not reject for ratio p0 (an interval around the mode). */
export function acceptanceRegion(n: number, p0: number, alpha: number): [number, number] {
  const pmf = Array.from({ length: n + 1 }, (_, i) => binomPmf(i, n, p0));
  const sorted = [...pmf].sort((x, y) => x - y);
  // p-value of k = sum of pmf values <= pmf[k]; accept when that sum >= alpha.
  let cum = 0;
  let threshold = Infinity;
  for (const v of sorted) {
    cum += v;
    if (cum >= alpha) {
      threshold = v;
      break;
    }
  }
  let lo = n + 1;
  let hi = -1;
  pmf.forEach((v, k) => {
    // Outcomes with pmf above the threshold, or at it within rounding, have p-value >= alpha.
    if (v >= threshold * (1 - 1e-7)) {
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
  });
  return [lo, hi];
}

/** Probability that the exact test at level alpha rejects p0 when the true ratio is p1. */
export function power(n: number, p0: number, p1: number, alpha: number): number {
  const [lo, hi] = acceptanceRegion(n, p0, alpha);
  return 1 - (binomCdf(hi, n, p1) - binomCdf(lo - 1, n, p1));
}

/**
 * The smallest n at which the exact two-sided test at level alpha tells the configured ratio p0 from a wrong
 * ratio p1 with at least the given power. Exact power is a saw-tooth in n, so n is scanned upwards, not bisected.
 */
export function requiredSampleSize(a: { p0: number; p1: number; alpha: number; power: number; maxN?: number }): number {
  if (a.p0 === a.p1) throw new Error('requiredSampleSize: p0 and p1 must differ');
  const maxN = a.maxN ?? 5000;
  for (let n = 1; n <= maxN; n++) if (power(n, a.p0, a.p1, a.alpha) >= a.power) return n;
  throw new Error(
    `requiredSampleSize: more than ${maxN} requests needed to tell ${a.p0} from ${a.p1} at power ${a.power}`,
  );
}

/** A small seeded PRNG (mulberry32) so simulations in tests are repeatable. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
