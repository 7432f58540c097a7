import { loadOne } from './recorded';
import { renderTrace } from './render';

describe('renderTrace', () => {
  it('draws the EPP trace as a tree with key attributes and durations', () => {
    const t = loadOne('recorded-epp-trace.json');
    const text = renderTrace(t, { jaegerUi: 'http://127.0.0.1:16686' });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`trace ${t.traceId} (2 spans)  http://127.0.0.1:16686/trace/${t.traceId}`);
    expect(lines[1]).toMatch(/^ {3}llm-d-epp {2}gateway\.request {2}\[server\] {2}\d+\.\dms$/);
    expect(lines[2]).toMatch(
      /^ {5}llm-d-epp {2}gateway\.request_orchestration {2}\[server\] {2}target_model=mock-llama {2}\d+\.\dms$/,
    );
  });

  it('lists orphans under their own heading and marks spans', () => {
    const t = loadOne('recorded-client-trace.json');
    const llm = t.spans.find((s) => s.name === 'llm_request')!;
    const text = renderTrace(t, { mark: new Set([llm.spanId]) });
    expect(text).toContain('   -- orphans (parent span not in this trace) --');
    expect(text).toMatch(
      / {3}envoy-gateway {2}ingress {2}\[server\] {2}http\.status_code=200 upstream_cluster=model_servers {2}[\d.]+ms {2}parent=00f067aa0ba902b7/,
    );
    expect(text).toMatch(/>> {3}mock-vllm {2}llm_request {2}\[server\] {2}gen_ai\.request\.id=/);
  });
});
