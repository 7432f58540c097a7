import { setTimeout as delay } from 'node:timers/promises';

/**
 * The one poll loop of the harness: readiness waits, trace waits, CRD conditions, counters and process exits all
 * go through here, so every wait has a deadline, backs off the same way, can be cut short by a reason that no
 * waiting fixes (a component died), and on the deadline says what it saw last.
 */
export interface PollOptions {
  timeoutMs: number;
  /** The first pause between tries; it grows 1.5x per try up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Checked before every try: a reason to stop at once (e.g. the component exited). */
  abortIf?: () => string | undefined;
  /** A probe error that no amount of waiting fixes: rethrown at once instead of retried. */
  stopOn?: (err: unknown) => boolean;
  /**
   * Ends the pause before the next try early when it settles: news that makes another try worth it now (a trace
   * wait learns its flush horizon was reached, and `abortIf` may now have a verdict).
   */
  interrupt?: Promise<unknown>;
}

/** How a poll ended without its condition: the deadline passed, or `abortIf` gave a reason. */
export class PollError<T> extends Error {
  constructor(
    message: string,
    /** Why the last try did not pass (the accept verdict or the probe's error). */
    readonly lastReason: string,
    readonly lastValue: T | undefined,
    readonly polls: number,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'PollError';
  }
}

/**
 * Calls `probe` until `accept` returns true for its value. `accept` may return a string saying why not yet; a
 * probe that throws counts as "not yet" with its message (unless `stopOn` says otherwise).
 */
export async function poll<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean | string,
  opts: PollOptions,
): Promise<T> {
  const started = Date.now();
  let interval = opts.intervalMs ?? 100;
  let polls = 0;
  let last: T | undefined;
  let why = 'not polled yet';
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort) throw new PollError(abort, why, last, polls, true);
    polls++;
    try {
      last = await probe();
      const verdict = accept(last);
      if (verdict === true) return last;
      why = verdict === false ? 'condition not met' : verdict;
    } catch (err) {
      if (opts.stopOn?.(err)) throw err;
      why = `probe failed: ${(err as Error).message}`;
    }
    if (Date.now() - started >= opts.timeoutMs) {
      throw new PollError(
        `timed out after ${(opts.timeoutMs / 1000).toFixed(1)}s (${polls} polls): ${why}`,
        why,
        last,
        polls,
        false,
      );
    }
    await (opts.interrupt ? Promise.race([delay(interval), opts.interrupt.catch(() => undefined)]) : delay(interval));
    interval = Math.min(interval * 1.5, opts.maxIntervalMs ?? 1000);
  }
}
