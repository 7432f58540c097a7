import { contractFor } from './contracts';
import { checkGatewayJoin, observeGatewayJoin } from './gateway-join';
import type { Trace } from './model';
import { loadOne } from './recorded';

// Recorded from the real topology: the client's trace through Envoy, and GIE v1.5.0's own (split) EPP trace.
const client = loadOne('recorded-client-trace.json');
const epp = loadOne('recorded-epp-trace.json');
const CLIENT_SPAN = '00f067aa0ba902b7';
const EPP = 'llm-d-epp';

/** The EPP's spans moved into the client's trace, gateway.request under `parentSpanId`. */
function joined(parentSpanId: string): Trace {
  const spans = epp.spans.map((s) => ({
    ...s,
    traceId: client.traceId,
    parentSpanId: s.name === 'gateway.request' ? parentSpanId : s.parentSpanId,
  }));
  return { traceId: client.traceId, spans: [...client.spans, ...spans] };
}

describe('where the EPP joins the gateway trace', () => {
  const extProc = client.spans.find((s) => /ExternalProcessor\.Process/.test(s.name))!;

  it('classifies split, child-of-client and child-of-envoy', () => {
    expect(observeGatewayJoin(epp, EPP, client.traceId).join).toBe('split');
    expect(observeGatewayJoin(joined(CLIENT_SPAN), EPP, client.traceId, CLIENT_SPAN).join).toBe('child-of-client');
    expect(observeGatewayJoin(joined(extProc.spanId), EPP, client.traceId, CLIENT_SPAN).join).toBe('child-of-envoy');
    const ingress = client.spans.find((s) => s.name === 'ingress')!;
    expect(observeGatewayJoin(joined(ingress.spanId), EPP, client.traceId, CLIENT_SPAN)).toEqual({
      join: null,
      detail: `gateway.request is in the gateway's trace ${client.traceId}, parented by envoy-gateway "ingress"`,
    });
  });

  it('passes a known split as recorded and prints it as a known upstream defect with the issue link', () => {
    const v = checkGatewayJoin(
      contractFor('gie-v1.5.0'),
      'withoutClientContext',
      observeGatewayJoin(epp, EPP, 'f'.repeat(32)),
    );
    expect(v.ok).toBe(true);
    expect(v.message).toContain(
      "EPP gie-v1.5.0, the client sends no traceparent (Envoy starts the trace): the EPP's spans are in a trace of its own",
    );
    expect(v.message).toContain('known upstream defect: ');
    expect(v.message).toContain('(https://github.com/llm-d/llm-d-router/issues/2828)');
  });

  it('negative control: a version that starts joining fails, naming what changed and what to update', () => {
    const seen = observeGatewayJoin(joined(extProc.spanId), EPP, client.traceId);
    const v = checkGatewayJoin(contractFor('llm-d-router-v0.10.0'), 'withoutClientContext', seen);
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      "EPP llm-d-router-v0.10.0, the client sends no traceparent (Envoy starts the trace): the contract says the EPP's " +
        "spans are in a trace of its own, split from the gateway's, but gateway.request is the child of envoy-gateway " +
        `"${extProc.name}" (the gateway's trace, as a child of Envoy's ext_proc span).\n` +
        'The upstream behaviour is not as recorded: if this is the fix of https://github.com/llm-d/llm-d-router/issues/2828, ' +
        'update joinsGatewayTrace.withoutClientContext of llm-d-router-v0.10.0 in harness/traces/contracts/.',
    );
  });

  it('a split where the contract says the client trace is joined fails too', () => {
    const v = checkGatewayJoin(
      contractFor('llm-d-router-v0.9.0'),
      'withClientTraceparent',
      observeGatewayJoin(epp, EPP, client.traceId),
    );
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(
      /the contract says the EPP's spans are in the gateway's trace, as a child of the client's span .* but gateway.request is in trace [0-9a-f]{32} as a root, not in the gateway's trace/,
    );
  });
});
