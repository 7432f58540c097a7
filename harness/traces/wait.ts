import { poll, PollError } from '../runtime/poll';
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

export interface WaitOptions<T> {
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** How to show the last value seen when the deadline passes (e.g. a partial trace tree). */
  show?: (value: T) => string;
  /** A reason to stop at once (a component of the run died); see JaegerClient.health. */
  abortIf?: () => string | undefined;
}

/** A wait cut short because it could never succeed: a component it depends on died. */
export class ComponentDiedError extends Error {
  override name = 'ComponentDiedError';
}

/**
 * Polls `probe` until `accept` says yes (true) or the deadline passes. `accept` may return a string saying why
 * not yet; the timeout message carries it with the last value seen, so a failure says what DID arrive.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  accept: (v: T) => boolean | string,
  opts: WaitOptions<T>,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20000;
  try {
    return await poll(probe, accept, { timeoutMs, intervalMs: opts.intervalMs, abortIf: opts.abortIf });
  } catch (err) {
    if (!(err instanceof PollError)) throw err;
    if (err.aborted) {
      throw new ComponentDiedError(`stopped waiting for ${opts.description} after ${err.polls} polls: ${err.message}`);
    }
    const last = err.lastValue as T | undefined;
    const seen = last === undefined ? 'nothing' : opts.show ? opts.show(last) : JSON.stringify(last);
    throw new WaitTimeoutError(
      `timed out after ${(timeoutMs / 1000).toFixed(1)}s (${err.polls} polls) waiting for ${opts.description}\n` +
        `last reason: ${err.lastReason}\nlast seen:\n${seen}`,
      last,
    );
  }
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
    show: (ts) => (ts.length ? ts.map((t) => renderTrace(t, { jaegerUi: client.uiUrl })).join('\n') : 'no traces'),
  });
}
