import { newTraceparent, sendCompletion } from '../drivers/openai';
import { setMockFaults } from '../scenario/mock-faults';
import { absenceJudge, spanSources } from '../scenario/sentinels';
import type { Endpoints } from '../topology/types';
import type { Measure } from './section';
import { JaegerClient } from '../traces/jaeger-client';
import { TraceAbsentError, waitForTrace } from '../traces/wait';
import { percentile } from './stats';

export interface AbsenceDecision {
  /** Planted absences decided (mock fault drop-traceparent: no model-server span in the client trace). */
  n: number;
  /** From the request's answer to the verdict "trace complete; ...". */
  afterRequestMs: { p50: number; max: number };
  /**
   * From the nominal flush horizon (the answer plus the slowest exporter's flush interval) to the verdict: what
   * the issue bounds at 2 s.
   */
  afterFlushHorizonMs: { p50: number; max: number };
  /** From the wait's start until every exporter's sentinel was in Jaeger. */
  horizonReachedMs: { p50: number; max: number };
}

/**
 * A planted absence, decided the way every scenario decides one: the mocks drop traceparent, so the client trace
 * never gets a model-server span; the wait's verdict must be "trace complete" (never a timeout).
 */
export async function measureAbsenceDecision(e: Endpoints, runs = 5): Promise<AbsenceDecision> {
  const jaeger = new JaegerClient(e.jaegerQuery, e.jaegerUi);
  // A verdict "trace complete" reads no logs; the bench has none to quote for a silent service either.
  jaeger.absence = absenceJudge({ endpoints: e, collectLogs: async () => ({}) }, jaeger);
  const slowestFlushMs = Math.max(...spanSources(e).map((s) => s.flushMs));
  const afterRequest: number[] = [];
  const horizon: number[] = [];
  await setMockFaults(e, ['drop-traceparent']);
  try {
    for (let i = 0; i < runs; i++) {
      const client = newTraceparent(true);
      await sendCompletion(e.gateway, { model: e.models[0].model, headers: { traceparent: client.traceparent } });
      const answered = Date.now();
      const err = await waitForTrace(
        jaeger,
        client.traceId,
        (t) => t.spans.some((s) => s.service === e.services.mockVllm) || 'no model-server span in the client trace',
        { description: 'the planted absence' },
      ).then(
        () => new Error('the planted absence was not absent: the mock span is in the client trace'),
        (x: Error) => x,
      );
      if (!(err instanceof TraceAbsentError)) throw new Error(`the planted absence was not decided: ${err.message}`);
      afterRequest.push(Date.now() - answered);
      horizon.push(err.horizonReachedMs);
    }
  } finally {
    await setMockFaults(e, []);
  }
  const stat = (xs: number[]): { p50: number; max: number } => ({ p50: percentile(xs, 50), max: Math.max(...xs) });
  return {
    n: runs,
    afterRequestMs: stat(afterRequest),
    afterFlushHorizonMs: stat(afterRequest.map((ms) => ms - slowestFlushMs)),
    horizonReachedMs: stat(horizon),
  };
}

/** `make bench`'s section: the planted absence's decision time, as the issue bounds it (after the flush horizon). */
export const absenceDecision: Measure = async ({ endpoints, progress }) => {
  progress('absence decision: a planted absence (mock drop-traceparent), 5 times');
  const d = await measureAbsenceDecision(endpoints);
  return {
    key: 'absenceDecision',
    rows: [
      {
        measure: 'planted absence -> verdict',
        value: `${(d.afterFlushHorizonMs.p50 / 1000).toFixed(2)} s`,
        detail:
          `p50 after the flush horizon (answer + slowest flush interval); max ${(d.afterFlushHorizonMs.max / 1000).toFixed(2)} s; ` +
          `horizon reached ${(d.horizonReachedMs.p50 / 1000).toFixed(2)} s into the wait; "trace complete" ${d.n}/${d.n}`,
      },
    ],
    json: d,
  };
};
