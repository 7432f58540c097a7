import { poll, PollError } from '../runtime/poll';
import { describeArrivals, type HorizonVerdict } from './flush-horizon';
import type { JaegerClient, TraceQuery } from './jaeger-client';
import type { Trace } from './model';
import { renderTrace } from './render';

export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastValue: unknown,
  ) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** Every exporter flushed past the wait's start and the condition still fails: what it wanted is absent. */
export class TraceAbsentError extends Error {
  override name = 'TraceAbsentError';
  constructor(
    message: string,
    readonly lastValue: unknown,
    /** From the wait's start to the verdict. */
    readonly decidedAfterMs: number,
    /** From the wait's start until every exporter's sentinel was in Jaeger. */
    readonly horizonReachedMs: number,
  ) {
    super(message);
  }
}

/** A service's exporter delivered nothing after the wait began, and the condition fails: it names the service. */
export class TraceIncompleteError extends Error {
  override name = 'TraceIncompleteError';
  constructor(
    message: string,
    readonly lastValue: unknown,
    readonly silentServices: string[],
  ) {
    super(message);
  }
}

/**
 * Decides whether the trace store holds all it will: reaches the topology's flush horizon (flush-horizon.ts).
 * `describeSilence` adds what the silent services' logs say about their exports.
 */
export interface AbsenceJudge {
  reach(signal: AbortSignal, startedAt: number): Promise<HorizonVerdict>;
  describeSilence(verdict: Extract<HorizonVerdict, { complete: false }>): Promise<string>;
}

export interface WaitOptions<T> {
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** How to show the last value seen when the deadline passes (e.g. a partial trace tree). */
  show?: (value: T) => string;
  /** A reason to stop at once (a component of the run died); see JaegerClient.health. */
  abortIf?: () => string | undefined;
  /**
   * Decides an absence instead of waiting out the deadline: when the condition has not held for `settleMs`, the
   * judge reaches the flush horizon; one more try after that is the verdict.
   */
  absence?: AbsenceJudge;
  settleMs?: number;
}

/** A wait cut short because it could never succeed: a component it depends on died. */
export class ComponentDiedError extends Error {
  override name = 'ComponentDiedError';
}

/**
 * How long a trace wait lets spans arrive by themselves before it reaches for the flush horizon: a few flush
 * intervals (100 ms in every exporter here), so a present span rarely costs a sentinel and an absent one is
 * decided about a second after the request.
 */
export const SETTLE_MS = 500;

/** Why the poll was stopped: a component died, or the horizon's verdict is in and the try after it failed. */
const HORIZON = 'flush horizon reached';

/**
 * Polls `probe` until `accept` says yes (true) or the deadline passes. `accept` may return a string saying why
 * not yet; the timeout message carries it with the last value seen, so a failure says what DID arrive.
 * With an absence judge the deadline is only the last resort: the verdict comes from the flush horizon.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  accept: (v: T) => boolean | string,
  opts: WaitOptions<T>,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20000;
  const startedAt = Date.now();
  const horizon = opts.absence ? new HorizonWatch(opts.absence, startedAt, opts.settleMs ?? SETTLE_MS) : undefined;
  let probedAfterVerdict = false;
  const counted = async (): Promise<T> => {
    const verdictKnown = horizon?.verdict !== undefined;
    const v = await probe();
    if (verdictKnown) probedAfterVerdict = true;
    return v;
  };
  const shown = (last: T | undefined): string =>
    last === undefined ? 'nothing' : opts.show ? opts.show(last) : JSON.stringify(last);
  try {
    return await poll(counted, accept, {
      timeoutMs,
      intervalMs: opts.intervalMs,
      interrupt: horizon?.settled,
      abortIf: () => opts.abortIf?.() ?? (probedAfterVerdict ? HORIZON : undefined),
    });
  } catch (err) {
    if (!(err instanceof PollError)) throw err;
    const last = err.lastValue as T | undefined;
    if (err.aborted && err.message === HORIZON && horizon?.verdict) {
      throw await horizonError(horizon.verdict, opts, err.lastReason, shown(last), last, startedAt);
    }
    if (err.aborted) {
      throw new ComponentDiedError(`stopped waiting for ${opts.description} after ${err.polls} polls: ${err.message}`);
    }
    throw new WaitTimeoutError(
      `timed out after ${(timeoutMs / 1000).toFixed(1)}s (${err.polls} polls) waiting for ${opts.description}\n` +
        `last reason: ${err.lastReason}\nlast seen:\n${shown(last)}`,
      last,
    );
  } finally {
    horizon?.cancel();
  }
}

/** The judge's verdict, reached once, from `settleMs` after the wait began, unless the wait ends first. */
class HorizonWatch {
  verdict: HorizonVerdict | undefined;
  readonly settled: Promise<void>;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(judge: AbsenceJudge, startedAt: number, settleMs: number) {
    let done: () => void = () => undefined;
    this.settled = new Promise<void>((resolve) => (done = resolve));
    this.timer = setTimeout(() => {
      judge.reach(this.abort.signal, startedAt).then(
        (v) => {
          if (this.abort.signal.aborted) return;
          this.verdict = v;
          done();
        },
        // A judge that cannot decide leaves the wait to its deadline and its usual pauses, as before there was one
        // (`settled` stays pending: once settled, it would cut every later pause short).
        () => undefined,
      );
    }, settleMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.abort.abort();
  }
}

async function horizonError<T>(
  verdict: HorizonVerdict,
  opts: WaitOptions<T>,
  lastReason: string,
  seen: string,
  last: T | undefined,
  startedAt: number,
): Promise<Error> {
  // The condition's reasons are written for a wait ("no span of S yet"); in a verdict there is no "yet".
  const reason = lastReason.replace(/ yet\b/g, '');
  if (verdict.complete) {
    const after = Date.now() - startedAt;
    return new TraceAbsentError(
      `trace complete; ${reason}\n` +
        `waited for: ${opts.description}\n` +
        `flush horizon: every exporter's sentinel was in Jaeger ${(verdict.reachedAfterMs / 1000).toFixed(2)} s after the ` +
        `wait began (${describeArrivals(verdict.arrivals)}); decided after ${(after / 1000).toFixed(2)} s\n` +
        `found:\n${seen}`,
      last,
      after,
      verdict.reachedAfterMs,
    );
  }
  const silence = await opts
    .absence!.describeSilence(verdict)
    .catch((e: Error) => `(its log could not be read: ${e.message})`);
  return new TraceIncompleteError(
    `${silence}\n` +
      `waited for: ${opts.description}\n` +
      `last reason: ${reason}\n` +
      (verdict.arrivals.length ? `flushed: ${describeArrivals(verdict.arrivals)}\n` : '') +
      `found:\n${seen}`,
    last,
    verdict.silent.map((s) => s.service),
  );
}

/** Waits until trace `traceId` exists and satisfies `condition` (e.g. "has these spans"). */
export function waitForTrace(
  client: JaegerClient,
  traceId: string,
  condition: (t: Trace) => boolean | string,
  opts: { description: string; timeoutMs?: number },
): Promise<Trace> {
  return waitFor(
    () => client.getTrace(traceId),
    (t) => (t ? condition(t) : 'trace not in Jaeger yet'),
    {
      ...opts,
      abortIf: client.health,
      absence: client.absence,
      show: (t) => (t ? renderTrace(t, { jaegerUi: client.uiUrl }) : `trace ${traceId}: not found`),
    },
  ) as Promise<Trace>;
}

/** Waits until a search returns traces satisfying `condition` (e.g. "N traces of service S since T"). */
export function waitForTraces(
  client: JaegerClient,
  query: TraceQuery,
  condition: (ts: Trace[]) => boolean | string,
  opts: { description: string; timeoutMs?: number },
): Promise<Trace[]> {
  return waitFor(() => client.findTraces(query), condition, {
    ...opts,
    abortIf: client.health,
    absence: client.absence,
    show: (ts) => (ts.length ? ts.map((t) => renderTrace(t, { jaegerUi: client.uiUrl })).join('\n') : 'no traces'),
  });
}
