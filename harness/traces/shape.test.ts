import type { Trace } from './model';
import { loadOne, loadRecorded } from './recorded';
import { diffShapes, shapeFingerprint, traceShape } from './shape';

const v140 = loadOne('recorded-epp-trace-gie-v1.4.0.json');
const v150 = loadOne('recorded-epp-trace.json');

describe('trace shapes', () => {
  it('is the same for two requests of one version (ids, values and timings do not count)', () => {
    const [a, b, c] = loadRecorded('recorded-epp-search-3-traces.json');
    expect(shapeFingerprint(traceShape(a))).toBe(shapeFingerprint(traceShape(b)));
    expect(shapeFingerprint(traceShape(b))).toBe(shapeFingerprint(traceShape(c)));
    expect(diffShapes(traceShape(a), traceShape(b))).toEqual([]);
  });

  it('differs between EPP versions, and the diff reads as what changed upstream', () => {
    expect(shapeFingerprint(traceShape(v140))).not.toBe(shapeFingerprint(traceShape(v150)));
    expect(diffShapes(traceShape(v140), traceShape(v150))).toEqual([
      '+ span llm-d-epp/gateway.request > llm-d-epp/gateway.request_orchestration [server]',
      '~ scope of llm-d-epp/gateway.request: gateway-api-inference-extension -> gateway-api-inference-extension/epp/extproc',
    ]);
  });

  it('marks an entry span whose parent was outside the trace', () => {
    const client = loadOne('recorded-client-trace.json');
    const [entry] = traceShape(client);
    expect(entry).toMatchObject({ service: 'envoy-gateway', name: 'ingress', externalParent: true });
    expect(entry.children.map((c) => c.name)).toEqual([
      'async envoy.service.ext_proc.v3.ExternalProcessor.Process egress',
      'llm_request',
    ]);
  });

  it('names renames, moves, kind and attribute-key changes', () => {
    const edit = (t: Trace, f: (s: Trace['spans'][number]) => Trace['spans'][number]): Trace => ({
      ...t,
      spans: t.spans.map(f),
    });
    const renamed = edit(v150, (s) =>
      s.name === 'gateway.request_orchestration' ? { ...s, name: 'llm_d.epp.orchestration' } : s,
    );
    expect(diffShapes(traceShape(v150), traceShape(renamed))).toEqual([
      '~ renamed llm-d-epp/gateway.request_orchestration -> llm-d-epp/llm_d.epp.orchestration (same parent and kind)',
    ]);
    const moved = edit(v150, (s) =>
      s.name === 'gateway.request_orchestration' ? { ...s, parentSpanId: undefined } : s,
    );
    expect(diffShapes(traceShape(v150), traceShape(moved))).toEqual([
      '~ moved llm-d-epp/gateway.request_orchestration: parent llm-d-epp/gateway.request -> (entry)',
    ]);
    const changed = edit(v150, (s) =>
      s.name === 'gateway.request_orchestration'
        ? { ...s, kind: 'internal', attributes: { target_model: 'x', new_key: 1 } }
        : s,
    );
    expect(diffShapes(traceShape(v150), traceShape(changed))).toEqual([
      '~ kind of llm-d-epp/gateway.request > llm-d-epp/gateway.request_orchestration: server -> internal',
      '~ attribute keys of llm-d-epp/gateway.request > llm-d-epp/gateway.request_orchestration: +new_key -request_prio',
    ]);
  });
});
