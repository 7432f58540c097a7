import { contractFor } from './contracts';
import { expectTrace, TraceAssertionError } from './expect-trace';
import type { Trace } from './model';
import { loadOne } from './recorded';

const client = loadOne('recorded-client-trace.json');
const dropped = loadOne('recorded-client-trace-drop-traceparent.json');
const epp = loadOne('recorded-epp-trace.json');
const epp140 = loadOne('recorded-epp-trace-gie-v1.4.0.json');
const CLIENT_SPAN = '00f067aa0ba902b7';
const EXT_PROC = /ExternalProcessor\.Process egress$/;
const ui = { jaegerUi: 'http://jaeger:16686' };
const roles = { epp: 'llm-d-epp', envoy: 'envoy-gateway', model: 'mock-vllm' };

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TraceAssertionError);
    return (err as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('expectTrace: topology', () => {
  it('passes on the real client trace', () => {
    expectTrace(client)
      .toBeOneConnectedTrace({ externalParent: CLIENT_SPAN })
      .toCrossServices(['envoy-gateway', 'mock-vllm'])
      .span({ name: 'ingress', service: 'envoy-gateway', kind: 'server' })
      .hasParentId(CLIENT_SPAN)
      .hasChild({ name: EXT_PROC, kind: 'client' })
      .hasChild('llm_request');
    expectTrace(client).span('llm_request').hasParent('ingress').isDescendantOf({ service: 'envoy-gateway' });
  });

  it('hasChild fails when the model server dropped the traceparent, with the tree and the span marked', () => {
    const msg = failure(() =>
      expectTrace(dropped, ui).span('ingress').hasChild({ name: 'llm_request', service: 'mock-vllm' }),
    );
    expect(msg).toMatch(
      /^expected span\[name="ingress"\] to have a child span\[name="llm_request" service="mock-vllm"\]\nfound: children: envoy-gateway async envoy\.service\.ext_proc\.v3\.ExternalProcessor\.Process egress \[client\]/,
    );
    expect(msg).toMatch(/\n>> envoy-gateway {2}ingress {2}\[server\]/);
    expect(msg).toContain(`jaeger: http://jaeger:16686/trace/${dropped.traceId}`);
  });

  it('span() fails naming the selector and the spans that are there', () => {
    const msg = failure(() => expectTrace(dropped).span({ name: 'llm_request', kind: 'server' }).exists());
    expect(msg).toContain('expected a span[name="llm_request" kind=server]');
    expect(msg).toContain('found: none; spans present: envoy-gateway/ingress, envoy-gateway/async envoy');
  });

  it('toBeOneConnectedTrace fails on an orphan unless its parent is the known caller', () => {
    const msg = failure(() => expectTrace(client).toBeOneConnectedTrace());
    expect(msg).toContain('expected one connected trace (one entry span, no orphans)');
    expect(msg).toMatch(
      /found: 0 entry span\(s\); 1 orphan\(s\): envoy-gateway ingress \[server\] \(\w+\) parent=00f067aa0ba902b7/,
    );
    expectTrace(client).toBeOneConnectedTrace({ externalParent: CLIENT_SPAN });
    expectTrace(epp).toBeOneConnectedTrace();
  });

  it('hasParent, isDescendantOf, isRoot, hasParentId each say what they found', () => {
    expect(failure(() => expectTrace(client).span('llm_request').hasParent('gateway.request'))).toContain(
      'expected span[name="llm_request"] to have parent span[name="gateway.request"]\nfound: parent is envoy-gateway ingress [server]',
    );
    expect(failure(() => expectTrace(client).span('ingress').hasParent('x'))).toContain(
      'found: parent 00f067aa0ba902b7 is not in this trace',
    );
    expect(failure(() => expectTrace(epp).span('gateway.request').hasParent('x'))).toContain(
      'found: it is a root span',
    );
    expect(failure(() => expectTrace(client).span('llm_request').isDescendantOf({ service: 'llm-d-epp' }))).toContain(
      'to descend from span[service="llm-d-epp"]\nfound: ancestors: envoy-gateway ingress',
    );
    expect(failure(() => expectTrace(client).span('llm_request').isRoot())).toContain(
      'to start its own trace (a root)',
    );
    expect(failure(() => expectTrace(client).span('ingress').hasParentId('ffffffffffffffff'))).toContain(
      'found: parent 00f067aa0ba902b7',
    );
    expectTrace(epp).span('gateway.request').isRoot();
  });

  it('toCrossServices and hasNoSpan', () => {
    expect(failure(() => expectTrace(client).toCrossServices(['envoy-gateway', 'llm-d-epp', 'mock-vllm']))).toContain(
      'missing [llm-d-epp]',
    );
    expectTrace(client).hasNoSpan({ service: 'llm-d-epp' });
    expect(failure(() => expectTrace(client).hasNoSpan('llm_request'))).toContain(
      'expected no span[name="llm_request"]',
    );
  });

  it('attributes and resource', () => {
    expectTrace(client)
      .span('llm_request')
      .hasAttributes({
        'gen_ai.response.model': 'mock-llama',
        'gen_ai.usage.prompt_tokens': (v) => typeof v === 'number',
      });
    expect(
      failure(() =>
        expectTrace(client)
          .span('llm_request')
          .hasAttributes({ 'gen_ai.response.model': 'other', 'gen_ai.request.top_p': 1 }),
      ),
    ).toContain('found: gen_ai.response.model="mock-llama", gen_ai.request.top_p=(absent)');
    expectTrace(epp).span('gateway.request').hasResource({ component: 'endpoint-picker', 'service.name': 'llm-d-epp' });
    expect(failure(() => expectTrace(epp).span('gateway.request').hasResource({ component: 'router' }))).toContain(
      'found: component="endpoint-picker"',
    );
  });
});

describe('expectTrace: contracts', () => {
  it('the recorded traces satisfy their own versions', () => {
    expectTrace(epp).toSatisfyContract(contractFor('gie-v1.5.0'), roles);
    expectTrace(epp140).toSatisfyContract(contractFor('gie-v1.4.0'), roles);
  });

  it('v1.4.0 against the v1.5.0 contract lists every deviation at once', () => {
    const msg = failure(() => expectTrace(epp140, ui).toSatisfyContract(contractFor('gie-v1.5.0'), roles));
    expect(msg).toContain('expected the spans of EPP gie-v1.5.0 (contract basis: recorded)\nfound: 2 deviation(s):');
    expect(msg).toContain(
      '  - gateway.request: scope gateway-api-inference-extension, expected gateway-api-inference-extension/epp/extproc',
    );
    expect(msg).toContain('  - missing span gateway.request_orchestration');
    expect(msg).toMatch(/\n>> llm-d-epp {2}gateway\.request {2}\[server\]/);
  });

  it('v1.5.0 against the v1.4.0 contract: an unexpected span and a renamed scope', () => {
    const msg = failure(() => expectTrace(epp).toSatisfyContract(contractFor('gie-v1.4.0'), roles));
    expect(msg).toContain('  - unexpected span gateway.request_orchestration');
    expect(msg).toContain(
      '  - gateway.request: scope gateway-api-inference-extension/epp/extproc, expected gateway-api-inference-extension',
    );
  });

  it('reports wrong kind, wrong parent and missing attributes', () => {
    const broken: Trace = {
      ...epp,
      spans: epp.spans.map((s) =>
        s.name === 'gateway.request_orchestration'
          ? { ...s, kind: 'internal', parentSpanId: undefined, attributes: { request_prio: 0 } }
          : s,
      ),
    };
    const msg = failure(() => expectTrace(broken).toSatisfyContract(contractFor('gie-v1.5.0'), roles));
    expect(msg).toContain('  - gateway.request_orchestration: kind internal, expected server');
    expect(msg).toContain('  - gateway.request_orchestration: parent root, expected gateway.request');
    expect(msg).toContain('  - gateway.request_orchestration: missing attribute target_model');
  });

  it('joins the incoming trace only from llm-d-router v0.9.0 on', () => {
    expect(contractFor('gie-v1.5.0').joinsIncomingTrace).toBe(false);
    expect(contractFor('llm-d-router-v0.9.0').joinsIncomingTrace).toBe(true);
    const msg = failure(() => expectTrace(epp).toSatisfyContract(contractFor('llm-d-router-v0.10.0'), roles));
    // gateway.request of llm-d-router is a root when the request carried no context: not a deviation.
    expect(msg).not.toContain('gateway.request: parent');
    expect(msg).toContain(
      '  - gateway.request: scope gateway-api-inference-extension/epp/extproc, expected llm-d-router',
    );
    expect(msg).toContain('  - missing span pick_endpoints');
    expect(msg).toContain('  - missing span llm_d.epp.scorer.prefix-cache-scorer');
    expect(() => contractFor('v9')).toThrow('no span contract for EPP v9; known: gie-v1.4.0, gie-v1.5.0');
  });

  it('takes a span whose parent is incoming-or-root as either, and nothing else', () => {
    const c = contractFor('llm-d-router-v0.9.0');
    const joined: Trace = {
      ...epp,
      spans: epp.spans.map((s) => (s.name === 'gateway.request' ? { ...s, parentSpanId: 'abababababababab' } : s)),
    };
    const deviations = (t: Trace): string =>
      failure(() => expectTrace(t).toSatisfyContract(c, roles))
        .split('\n')
        .filter((l) => l.startsWith('  - ') && l.includes('parent'))
        .join('\n');
    expect(deviations(joined)).toBe('');
    const underOrchestration: Trace = {
      ...epp,
      spans: epp.spans.map((s) =>
        s.name === 'gateway.request'
          ? { ...s, parentSpanId: epp.spans.find((x) => x.name === 'gateway.request_orchestration')!.spanId }
          : s,
      ),
    };
    expect(deviations(underOrchestration)).toContain(
      'gateway.request: parent gateway.request_orchestration, expected incoming-or-root',
    );
  });
});
