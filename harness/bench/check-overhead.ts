import { performance } from 'node:perf_hooks';
import { newTraceparent, sendCompletion } from '../drivers/openai';
import { eppClientEntry } from '../scenario/contract-gate';
import { contractFor, expectTrace, JaegerClient, MODEL_SERVER_CONTRACT, waitForTrace } from '../traces';
import { round2 } from './load';
import { percentile } from './stats';
import type { BenchContext, BenchSection } from './section';

const CHECKS = Number(process.env.BENCH_CHECKS ?? 20);

/**
 * The harness's own time per check, from the end of the request to the verdict, on the smoke scenario's check
 * of the client trace: wait for Envoy's and the model server's spans through the harness's trace wait (its
 * poll schedule: 100 ms, then 1.5x), then the expect DSL's verdict on parenting, contract and attributes.
 * "waiting" is request end -> the trace the wait accepted; "verdict" is that trace -> the assertions done.
 */
export async function checkOverhead(ctx: BenchContext): Promise<BenchSection> {
  const e = ctx.endpoints;
  const jaeger = new JaegerClient(e.jaegerQuery);
  const { envoy, epp, mockVllm } = e.services;
  const contract = contractFor(e.eppVersion);
  // As the smoke check: an EPP whose contract joins the client's trace is waited for and is part of it.
  const expected = [envoy, mockVllm, ...(contract.joinsIncomingTrace ? [epp] : [])];
  ctx.progress(`harness overhead: ${CHECKS} smoke checks, request end to verdict`);
  const total: number[] = [];
  const waiting: number[] = [];
  const verdict: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    const client = newTraceparent(true);
    const res = await sendCompletion(e.gateway, {
      model: e.models[0].model,
      headers: { traceparent: client.traceparent },
    });
    const end = performance.now();
    if (res.status !== 200) throw new Error(`check ${i}: the gateway answered HTTP ${res.status}`);
    const trace = await waitForTrace(
      jaeger,
      client.traceId,
      (t) =>
        expected.every((svc) => t.spans.some((s) => s.service === svc)) &&
        t.spans.some((s) => s.service === envoy && s.name === 'ingress'),
      { description: `the client trace ${client.traceId}` },
    );
    const arrived = performance.now();
    const x = expectTrace(trace, { jaegerUi: e.jaegerUi });
    x.toSatisfyContract(MODEL_SERVER_CONTRACT, { model: mockVllm });
    x.toBeOneConnectedTrace({ externalParent: client.spanId, alsoEntering: eppClientEntry(contract, epp) });
    x.toCrossServices([envoy, mockVllm]);
    x.span({ name: 'ingress', service: envoy, kind: 'server' })
      .hasParentId(client.spanId)
      .hasChild({ name: 'llm_request', service: mockVllm, kind: 'server' });
    const done = performance.now();
    total.push(done - end);
    waiting.push(arrived - end);
    verdict.push(done - arrived);
  }
  const p = (xs: number[], q: number): number => round2(percentile(xs, q));
  return {
    key: 'harnessOverhead',
    rows: [
      {
        measure: 'request end -> verdict',
        value: `${Math.round(p(total, 50))} ms`,
        detail:
          `p50 of ${CHECKS} smoke checks: waiting for the trace ${Math.round(p(waiting, 50))} ms ` +
          `(harness polls 100 ms, then 1.5x), assertions ${p(verdict, 50)} ms`,
      },
    ],
    json: {
      check: 'smoke: client trace (Envoy + model-server spans) -> contract, parenting, services crossed',
      n: CHECKS,
      requestEndToVerdictMs: { p50: p(total, 50), p95: p(total, 95) },
      waitingForTraceMs: { p50: p(waiting, 50), p95: p(waiting, 95) },
      assertionsMs: { p50: p(verdict, 50), p95: p(verdict, 95) },
    },
  };
}
