import { processThroughEpp } from '../drivers/extproc/client';
import { newTraceparent, sendCompletion } from '../drivers/openai';
import type { Topology } from '../topology/types';
import type { JaegerClient } from '../traces/jaeger-client';
import type { Trace } from '../traces/model';
import { renderTrace } from '../traces/render';
import { shapeFingerprint, traceShape, type ShapeNode } from '../traces/shape';
import { waitForTrace, waitForTraces } from '../traces/wait';

export interface ProbeShape {
  label: string;
  fingerprint: string;
  shape: ShapeNode[];
  tree: string;
}

function record(label: string, t: Trace): ProbeShape {
  const shape = traceShape(t);
  return { label, fingerprint: shapeFingerprint(shape), shape, tree: renderTrace(t) };
}

/**
 * The requests whose trace shapes a comparison records: one through the gateway with a client context (what
 * users see), and one through the EPP alone (the ext_proc driver, forwarding to a model server), whose trace
 * holds everything the EPP emits. Each wait names what it waits for.
 */
export async function recordProbeShapes(topology: Topology, jaeger: JaegerClient): Promise<ProbeShape[]> {
  const e = topology.endpoints;
  const { epp, envoy, mockVllm } = e.services;
  const out: ProbeShape[] = [];

  const client = newTraceparent(true);
  const since = new Date();
  await sendCompletion(e.gateway, { model: e.models[0].model, headers: { traceparent: client.traceparent } });
  const clientTrace = await waitForTrace(
    jaeger,
    client.traceId,
    (t) =>
      (t.spans.some((s) => s.service === envoy) && t.spans.some((s) => s.service === mockVllm)) ||
      'Envoy and model-server spans',
    { description: `probe: client trace ${client.traceId}` },
  );
  out.push(record('gateway request: client trace', clientTrace));
  // The EPP's spans are in the client trace when the EPP joins it; otherwise they are a trace of their own.
  if (!clientTrace.spans.some((s) => s.service === epp)) {
    const [own] = await waitForTraces(jaeger, { service: epp, since }, (ts) => ts.length >= 1 || 'no EPP trace yet', {
      description: 'probe: the EPP trace of the gateway request',
    });
    out.push(record('gateway request: EPP trace', own));
  }

  const r = await processThroughEpp(e.extProc, {
    body: { model: e.models[0].model, prompt: 'compare', max_tokens: 1 },
    upstream: 'forward',
  });
  const traceId = r.requestHeaderMutation.set.traceparent?.split('-')[1];
  if (!traceId) throw new Error('probe: the EPP injected no traceparent');
  const eppTrace = await waitForTrace(
    jaeger,
    traceId,
    (t) => t.spans.some((s) => s.service === mockVllm) || 'no model-server span yet',
    {
      description: `probe: EPP-initiated trace ${traceId}`,
    },
  );
  out.push(record('ext_proc request: EPP-initiated trace', eppTrace));
  return out;
}
