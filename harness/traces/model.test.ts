import {
  ancestors,
  children,
  descendants,
  orphans,
  parent,
  parseJsonChunks,
  pathBetween,
  roots,
  servicesCrossed,
} from './model';
import { loadOne, loadRecorded } from './recorded';

const client = loadOne('recorded-client-trace.json');
const byName = (n: string) => client.spans.find((s) => s.name === n)!;
const ingress = byName('ingress');
const llm = byName('llm_request');
const extProc = byName('async envoy.service.ext_proc.v3.ExternalProcessor.Process egress');

describe('trace model from api_v3 answers', () => {
  it('normalizes ids, kinds, services, scopes, resources and attributes', () => {
    expect(client.traceId).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
    expect(client.spans).toHaveLength(3);
    expect(ingress).toMatchObject({
      kind: 'server',
      service: 'envoy-gateway',
      scope: { name: 'envoy' },
      parentSpanId: '00f067aa0ba902b7',
    });
    expect(extProc.kind).toBe('client');
    expect(llm).toMatchObject({ kind: 'server', service: 'mock-vllm', status: { code: 'unset' } });
    expect(llm.attributes['gen_ai.response.model']).toBe('mock-llama');
    expect(typeof llm.attributes['gen_ai.usage.prompt_tokens']).toBe('number');
    expect(ingress.resource['telemetry.sdk.name']).toBe('envoy');
    expect(llm.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("drops Jaeger's own @jaeger@warnings attributes", () => {
    expect(Object.keys(ingress.attributes).some((k) => k.startsWith('@jaeger@'))).toBe(false);
  });

  it('walks parents, children, ancestors, descendants and paths', () => {
    expect(parent(client, llm)).toBe(ingress);
    expect(
      children(client, ingress)
        .map((s) => s.name)
        .sort(),
    ).toEqual([extProc.name, 'llm_request'].sort());
    expect(ancestors(client, llm)).toEqual([ingress]);
    expect(descendants(client, ingress)).toHaveLength(2);
    expect(pathBetween(client, ingress, llm)).toEqual([ingress, llm]);
    expect(pathBetween(client, llm, ingress)).toBeUndefined();
    expect(servicesCrossed(client).sort()).toEqual(['envoy-gateway', 'mock-vllm']);
  });

  it('sees the client span, which is not exported, as the parent of an orphan', () => {
    expect(roots(client)).toEqual([]);
    expect(orphans(client)).toEqual([ingress]);
  });

  it('splits a search answer into traces by trace id', () => {
    const ts = loadRecorded('recorded-epp-search-3-traces.json');
    expect(ts).toHaveLength(3);
    for (const t of ts)
      expect(t.spans.map((s) => s.name).sort()).toEqual(['gateway.request', 'gateway.request_orchestration']);
  });

  it('reads a body of several JSON objects back to back', () => {
    expect(parseJsonChunks('{"a":"}{"}\n{"b":{"c":1}}')).toEqual([{ a: '}{' }, { b: { c: 1 } }]);
  });
});
