import { setTimeout as delay } from 'node:timers/promises';
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
  const started = Date.now();
  let interval = opts.intervalMs ?? 100;
  let polls = 0;
  let last: T | undefined;
  let why = 'not polled yet';
  for (;;) {
    polls++;
    try {
      last = await probe();
      const verdict = accept(last);
      if (verdict === true) return last;
      why = verdict === false ? 'condition not met' : verdict;
    } catch (err) {
      why = `probe failed: ${(err as Error).message}`;
    }
    if (Date.now() - started >= timeoutMs) {
      const seen = last === undefined ? 'nothing' : opts.show ? opts.show(last) : JSON.stringify(last);
      throw new WaitTimeoutError(
        `timed out after ${(timeoutMs / 1000).toFixed(1)}s (${polls} polls) waiting for ${opts.description}\n` +
          `last reason: ${why}\nlast seen:\n${seen}`,
        last,
      );
    }
    await delay(interval);
    interval = Math.min(interval * 1.5, 1000);
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
    { ...opts, show: (t) => (t ? renderTrace(t, { jaegerUi: client.uiUrl }) : `trace ${traceId}: not found`) },
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
    show: (ts) => (ts.length ? ts.map((t) => renderTrace(t, { jaegerUi: client.uiUrl })).join('\n') : 'no traces'),
  });
}
