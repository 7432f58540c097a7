import { newTraceparent, sendCompletion } from '../drivers/openai';
import { setMockFaults } from '../scenario/mock-faults';
import { absenceJudge, spanSources } from '../scenario/sentinels';
import type { Topology } from '../topology/types';
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
export async function measureAbsenceDecision(topology: Topology, runs = 5): Promise<AbsenceDecision> {
  const e = topology.endpoints;
  const jaeger = new JaegerClient(e.jaegerQuery, e.jaegerUi);
  jaeger.absence = absenceJudge(topology, jaeger);
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
