import { processThroughEpp } from '../drivers/extproc/client';
import type { Endpoints } from '../topology/types';
import type { JaegerClient } from '../traces/jaeger-client';
import { waitForTrace, waitForTraces } from '../traces/wait';

/** A canned model-server answer: sampling runs need the EPP's decision, not a model server's spans. */
const CANNED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' };

export interface Decision {
  traceId: string;
  sampled: boolean;
}

function body(e: Endpoints, i: number): Record<string, unknown> {
  return { model: e.models[0].model, prompt: `sampling request ${i}`, max_tokens: 1 };
}

/**
 * Sends n requests with no client trace context through the EPP (ext_proc driver) and reads each sampling
 * decision from the traceparent the EPP injects: its flags are the EPP's own sampler's verdict.
 */
export async function eppSamplingDecisions(e: Endpoints, n: number): Promise<Decision[]> {
  const out: Decision[] = [];
  for (let i = 0; i < n; i++) {
    const r = await processThroughEpp(e.extProc, { body: body(e, i), upstream: CANNED });
    const tp = r.requestHeaderMutation.set.traceparent ?? '';
    const m = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(tp);
    if (!m) throw new Error(`request ${i}: the EPP injected no W3C traceparent (got "${tp}")`);
    out.push({ traceId: m[1], sampled: (parseInt(m[2], 16) & 1) === 1 });
  }
  return out;
}

/** Waits until Jaeger holds every sampled trace; then none of the unsampled ones may be there. */
export async function checkDecisionsInJaeger(jaeger: JaegerClient, decisions: Decision[]): Promise<void> {
  for (const d of decisions.filter((x) => x.sampled)) {
    await waitForTrace(
      jaeger,
      d.traceId,
      (t) => t.spans.some((s) => s.name === 'gateway.request') || 'no gateway.request',
      {
        description: `the sampled EPP trace ${d.traceId}`,
      },
    );
  }
  for (const d of decisions.filter((x) => !x.sampled)) {
    if (await jaeger.getTrace(d.traceId))
      throw new Error(`trace ${d.traceId} was not sampled by the EPP but is in Jaeger`);
  }
}

/**
 * Sends n requests carrying a client traceparent with the given flags, then counts the EPP traces they made.
 * The decisions are not visible per request here (this EPP copies the client's traceparent through), so the
 * count is closed by a sentinel: requests without context until the EPP samples one, whose trace arriving in
 * Jaeger means every span exported before it has arrived too (the exporter and Jaeger keep order).
 */
export async function eppTracesForParentFlag(
  e: Endpoints,
  jaeger: JaegerClient,
  n: number,
  flags: '00' | '01',
): Promise<number> {
  // Span start times come from the same clock; earlier requests of other tests must not be counted.
  const since = new Date();
  for (let i = 0; i < n; i++) {
    const traceparent = `00-${randomHex(16)}-${randomHex(8)}-${flags}`;
    await processThroughEpp(e.extProc, { headers: { traceparent }, body: body(e, i), upstream: CANNED });
  }
  let sentinel: Decision | undefined;
  for (let i = 0; i < 1000 && !sentinel; i++) {
    const [d] = await eppSamplingDecisions(e, 1);
    if (d.sampled) sentinel = d;
  }
  if (!sentinel) throw new Error('the EPP sampled none of 1000 sentinel requests');
  await waitForTrace(jaeger, sentinel.traceId, () => true, {
    description: `the sentinel EPP trace ${sentinel.traceId}`,
  });
  const traces = await waitForTraces(
    jaeger,
    { service: e.services.epp, operation: 'gateway.request', since, limit: 100000 },
    () => true,
    {
      description: `EPP traces since ${since.toISOString()}`,
    },
  );
  return traces.filter((t) => t.traceId !== sentinel!.traceId).length;
}

function randomHex(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}
