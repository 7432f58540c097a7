import {
  acceptanceRegion,
  binomCdf,
  binomPmf,
  binomTwoSidedPValue,
  clopperPearson,
  mulberry32,
  normalQuantile,
  power,
  requiredSampleSize,
  samplingConsistent,
  wilsonInterval,
} from './sampling';

describe('binomial distribution against table values', () => {
  it('pmf and cdf', () => {
    expect(binomCdf(2, 10, 0.5)).toBeCloseTo(0.0546875, 12); // 56/1024
    expect(binomPmf(5, 10, 0.5)).toBeCloseTo(252 / 1024, 12);
    expect(binomCdf(0, 20, 0.1)).toBeCloseTo(0.9 ** 20, 12);
    expect(binomCdf(3, 20, 0.1)).toBeCloseTo(0.8670466765656654, 10);
    expect(binomCdf(10, 10, 0.3)).toBe(1);
  });

  it('two-sided p-values as R binom.test gives them', () => {
    expect(binomTwoSidedPValue(2, 10, 0.5)).toBeCloseTo(0.109375, 10); // 2 * 56/1024
    expect(binomTwoSidedPValue(5, 10, 0.5)).toBeCloseTo(1, 10);
    // binom.test(7, 20, 0.1): P = 0.002386
    expect(binomTwoSidedPValue(7, 20, 0.1)).toBeCloseTo(0.002386, 5);
  });

  it('Clopper-Pearson bounds, exact at the edges', () => {
    const [lo0, hi0] = clopperPearson(0, 20, 0.05);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(1 - 0.025 ** (1 / 20), 9);
    const [loN, hiN] = clopperPearson(20, 20, 0.05);
    expect(loN).toBeCloseTo(0.025 ** (1 / 20), 9);
    expect(hiN).toBe(1);
    // binom.test(5, 10)$conf.int = 0.1870860 0.8129140
    const [lo, hi] = clopperPearson(5, 10, 0.05);
    expect(lo).toBeCloseTo(0.187086, 5);
    expect(hi).toBeCloseTo(0.812914, 5);
  });

  it('Wilson interval and the normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    const [lo, hi] = wilsonInterval(5, 10, 0.05);
    expect(lo).toBeCloseTo(0.2365931, 5);
    expect(hi).toBeCloseTo(0.7634069, 5);
  });
});

describe('sampling verdicts', () => {
  it('reads as a sentence a person can check', () => {
    const v = samplingConsistent({ n: 200, k: 48, p: 0.1, alpha: 0.01 });
    expect(v.consistent).toBe(false);
    expect(v.message).toMatch(
      /^observed 48\/200 = 24\.0% traced; expected ratio 10\.0%; 99\.0% Clopper-Pearson interval \[16\.\d%, 32\.\d%\]; exact two-sided p-value .* < alpha 0\.01: NOT consistent/,
    );
    expect(samplingConsistent({ n: 200, k: 22, p: 0.1, alpha: 0.01 }).consistent).toBe(true);
    expect(() => samplingConsistent({ n: 10, k: 11, p: 0.1, alpha: 0.01 })).toThrow('0 <= k <= n');
  });

  it('accepts exactly the outcomes whose p-value reaches alpha', () => {
    const [lo, hi] = acceptanceRegion(100, 0.1, 0.05);
    for (let k = 0; k <= 100; k++) {
      const inside = k >= lo && k <= hi;
      expect({ k, inside }).toEqual({ k, inside: binomTwoSidedPValue(k, 100, 0.1) >= 0.05 });
    }
  });

  it('asks for enough requests to tell 5% from 10%, and not more than needed', () => {
    const n = requiredSampleSize({ p0: 0.1, p1: 0.05, alpha: 0.05, power: 0.8 });
    expect(power(n, 0.1, 0.05, 0.05)).toBeGreaterThanOrEqual(0.8);
    expect(power(n - 1, 0.1, 0.05, 0.05)).toBeLessThan(0.8);
    expect(n).toBeGreaterThan(200);
    expect(n).toBeLessThan(600);
    expect(requiredSampleSize({ p0: 0.5, p1: 0.1, alpha: 0.01, power: 0.99 })).toBeLessThan(60);
  });

  it('simulation: at the true ratio the false-alarm rate stays within alpha; at the wrong ratio power is met', () => {
    const rand = mulberry32(20261124);
    const draw = (n: number, p: number): number => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rand() < p) k++;
      return k;
    };
    const runs = 10000;
    const alpha = 0.05;
    const n = 200;
    // A verdict depends only on k for a fixed n, p and alpha: compute each distinct one once.
    const verdicts = new Map<number, boolean>();
    const consistent = (k: number): boolean => {
      if (!verdicts.has(k)) verdicts.set(k, samplingConsistent({ n, k, p: 0.1, alpha }).consistent);
      return verdicts.get(k)!;
    };
    let falseAlarms = 0;
    for (let r = 0; r < runs; r++) if (!consistent(draw(n, 0.1))) falseAlarms++;
    // The exact test is conservative: its real size is at most alpha; 0.005 of slack covers simulation noise.
    expect(falseAlarms / runs).toBeLessThanOrEqual(alpha + 0.005);

    const needed = requiredSampleSize({ p0: 0.1, p1: 0.05, alpha, power: 0.8 });
    const [lo, hi] = acceptanceRegion(needed, 0.1, alpha);
    let detected = 0;
    for (let r = 0; r < runs; r++) {
      const k = draw(needed, 0.05);
      if (k < lo || k > hi) detected++;
    }
    expect(detected / runs).toBeGreaterThanOrEqual(0.8 - 0.015);
  });
});
