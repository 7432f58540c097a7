import { poll } from '../runtime/poll';
import { newTraceparent, sendCompletion } from '../drivers/openai';
import { JaegerClient } from '../traces/jaeger-client';
import { percentile } from './stats';
import type { BenchContext, BenchSection } from './section';

const TRACE_REQUESTS = Number(process.env.BENCH_TRACE_REQUESTS ?? 200);

/** Request end -> the trace complete in Jaeger (Envoy and model-server spans), polled every 10 ms. */
export async function traceLatency(ctx: BenchContext): Promise<BenchSection> {
  const e = ctx.endpoints;
  const jaeger = new JaegerClient(e.jaegerQuery);
  ctx.progress(`trace completion latency over ${TRACE_REQUESTS} requests`);
  const latencies: number[] = [];
  for (let i = 0; i < TRACE_REQUESTS; i++) {
    const client = newTraceparent(true);
    await sendCompletion(e.gateway, { model: e.models[0].model, headers: { traceparent: client.traceparent } });
    const done = Date.now();
    // A fine-grained poll on purpose: this measures Jaeger, not the harness's wait schedule.
    await poll(
      () => jaeger.getTrace(client.traceId),
      (t) =>
        (!!t &&
          t.spans.some((s) => s.name === 'ingress') &&
          t.spans.some((s) => s.name === 'llm_request') &&
          t.spans.length >= 3) ||
        `trace ${client.traceId} not complete`,
      { timeoutMs: 30000, intervalMs: 10, maxIntervalMs: 10 },
    );
    latencies.push(Date.now() - done);
  }
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  return {
    key: 'traceLatencyMs',
    rows: [
      {
        measure: 'request end -> trace complete',
        value: `${p50} ms`,
        detail: `p50; p95 ${p95} ms over ${latencies.length} requests (Envoy + mock spans in Jaeger, 10 ms polls)`,
      },
    ],
    json: { p50, p95, n: latencies.length },
  };
}
