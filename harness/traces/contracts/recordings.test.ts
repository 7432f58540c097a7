// Each llm-d-router contract against the traces recorded from binaries built from its tag (fixtures/traces/README.md):
// the default plugin configuration, P/D and the precise prefix cache fed by KV events. A contract entry that the
// real EPP does not satisfy, or a span the EPP makes that the contract does not name, fails here.
import { modelServerIp } from '../../components/epp';
import { checkContract, contractSpans, describeDeviation } from '../contract-check';
import type { Trace } from '../model';
import { loadOne } from '../recorded';
import { contractFor } from './index';
import { kvIndexAddSpan } from './llm-d-router';

const services = { epp: 'llm-d-epp', envoy: 'envoy-gateway', model: 'mock-vllm' };
const deviations = (t: Trace, version: string, config?: string): string[] =>
  checkContract(t, contractFor(version), services, config).map(describeDeviation);
const eppSpan = (t: Trace, name: string) => t.spans.filter((s) => s.service === services.epp && s.name === name);

describe.each(['llm-d-router-v0.10.0', 'llm-d-router-v0.9.0'] as const)('contract %s against its recordings', (v) => {
  it.each([
    ['default', undefined],
    ['pd', 'pd'],
    ['kv-events', 'kv-events'],
  ] as const)('the %s configuration: exactly the contract', (_label, config) => {
    const t = loadOne(`recorded-${v}${config ? `-${config}` : ''}.json`);
    expect(deviations(t, v, config)).toEqual([]);
    // Every span of the configuration is there (optional ones included): nothing is satisfied by absence.
    for (const s of contractSpans(contractFor(v), config))
      expect([s.name, eppSpan(t, s.name).length > 0]).toEqual([s.name, true]);
  });

  it("recorded with the client traceparent: gateway.request is the child of the client's span (HTTP headers read)", () => {
    const t = loadOne(`recorded-${v}.json`);
    const ingress = t.spans.find((s) => s.service === services.envoy && s.name === 'ingress')!;
    const [request] = eppSpan(t, 'gateway.request');
    expect(request.parentSpanId).toBe(ingress.parentSpanId);
    expect(contractFor(v).joinsGatewayTrace?.withClientTraceparent).toBe('child-of-client');
  });

  it('a KV event is indexed in a root span of its own', () => {
    const t = loadOne(`recorded-${v}-kv-events-index-add.json`);
    const c = { ...contractFor(v), spans: [kvIndexAddSpan(v)] };
    expect(checkContract(t, c, services).map(describeDeviation)).toEqual([]);
  });

  it('the precise prefix cache found the blocks the KV events announced', () => {
    const t = loadOne(`recorded-${v}-kv-events.json`);
    expect(eppSpan(t, 'llm_d.kv_cache.index')[0].attributes).toMatchObject({
      'llm_d.kv_cache.lookup.cache_hit': true,
      'llm_d.kv_cache.lookup.blocks_found': 2,
    });
    expect(eppSpan(t, 'produce_precise_prefix_cache')[0].attributes['llm_d.epp.producer.max_match_blocks']).toBe(2);
  });

  it('P/D: prepare_disaggregation (the seed called it pd_prerequest) names the prefill endpoint', () => {
    const t = loadOne(`recorded-${v}-pd.json`);
    const [prep] = eppSpan(t, 'prepare_disaggregation');
    expect(prep.attributes).toMatchObject({
      'llm_d.epp.pd.disaggregation_used': true,
      // The prefill mock: the first model server, on its own loopback address (the decode mock answered).
      'llm_d.epp.pd.prefill_pod_address': modelServerIp(0),
    });
    // v0.10.0 shows each profile's pick: decode on the second mock, prefill on the first (v0.9.0 has no such span).
    const picked = eppSpan(t, 'pick_endpoints').map((x) => x.attributes['llm_d.epp.picker.top_endpoints']);
    if (v === 'llm-d-router-v0.10.0')
      expect(picked).toEqual([['default/mock-vllm-1-rank-0'], ['default/mock-vllm-0-rank-0']]);
    else expect(picked).toEqual([]);
    expect(eppSpan(t, 'pick_disagg_profile').map((s) => s.attributes['llm_d.epp.profile_handler.decision'])).toEqual([
      'run_decode',
      'run_prefill',
      'complete_prefill-decode',
    ]);
    expect(t.spans.some((s) => /pd_prerequest/.test(s.name))).toBe(false);
  });
});

describe("negative controls: a recording against the other version's contract", () => {
  it('v0.9.0 against v0.10.0 lists the scheduler spans v0.9.0 does not make', () => {
    expect(deviations(loadOne('recorded-llm-d-router-v0.9.0.json'), 'llm-d-router-v0.10.0')).toEqual([
      'missing span run_scheduler_profile',
      'missing span filter_endpoints',
      'missing span llm_d.epp.scoring',
      'missing span llm_d.epp.scorer.queue-scorer',
      'missing span llm_d.epp.scorer.kv-cache-utilization-scorer',
      'missing span llm_d.epp.scorer.prefix-cache-scorer',
      'missing span pick_endpoints',
    ]);
  });

  it('v0.10.0 against v0.9.0 lists them as unexpected', () => {
    expect(deviations(loadOne('recorded-llm-d-router-v0.10.0.json'), 'llm-d-router-v0.9.0')).toEqual([
      'unexpected span run_scheduler_profile',
      'unexpected span filter_endpoints',
      'unexpected span llm_d.epp.scoring',
      'unexpected span llm_d.epp.scorer.queue-scorer',
      'unexpected span llm_d.epp.scorer.kv-cache-utilization-scorer',
      'unexpected span llm_d.epp.scorer.prefix-cache-scorer',
      'unexpected span pick_endpoints',
    ]);
  });

  it('the P/D recording against the default configuration lists the P/D spans and the scorer it lacks', () => {
    expect(deviations(loadOne('recorded-llm-d-router-v0.10.0-pd.json'), 'llm-d-router-v0.10.0')).toEqual([
      'missing span llm_d.epp.scorer.kv-cache-utilization-scorer',
      'unexpected span pick_disagg_profile',
      'unexpected span prepare_disaggregation',
    ]);
  });

  it('the v0.9.0 KV-events recording against v0.10.0 names the index scope it moved from', () => {
    expect(
      deviations(loadOne('recorded-llm-d-router-v0.9.0-kv-events.json'), 'llm-d-router-v0.10.0', 'kv-events'),
    ).toContain(
      'llm_d.kv_cache.index: scope llm-d-kv-cache/pkg/kvcache/kvblock, expected llm-d-router/pkg/kvcache/kvblock',
    );
  });
});
