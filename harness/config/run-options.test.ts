import { loadVersions } from '../tools/versions';
import { OptionError, resolveRunOptions } from './run-options';

const versions = loadVersions();
const resolve = (raw: Parameters<typeof resolveRunOptions>[0], env: NodeJS.ProcessEnv = {}) =>
  resolveRunOptions(raw, env, versions);

describe('run options', () => {
  it('has defaults that run the local topology fully sampled', () => {
    const o = resolve({});
    expect(o).toMatchObject({
      topology: 'local',
      models: 2,
      eppVersion: versions.epp.default,
      eppSampler: 'parentbased_traceidratio',
      eppSamplerArg: '1',
      eppResourceAttributes: { component: 'endpoint-picker' },
      faults: [],
    });
  });

  it('runs the KV-events EPP only when asked, and only on the local topology', () => {
    expect(resolve({}).kvEventsEpp).toBeUndefined();
    expect(resolve({ kvEventsEpp: true }).kvEventsEpp).toBe(true);
    expect(() => resolve({ kvEventsEpp: true, topology: 'kind' })).toThrow(
      new OptionError('the KV-events EPP runs on the local topology only (the kind topology runs the EPP image)'),
    );
  });

  it('takes flags over environment variables', () => {
    expect(resolve({ models: '3' }, { EPP_E2E_MODELS: '5' }).models).toBe(3);
    expect(resolve({}, { EPP_E2E_MODELS: '5' }).models).toBe(5);
  });

  it.each([
    [{ topology: 'k3d' }, 'unknown topology "k3d"; choose one of: local, kind'],
    [{ models: '0' }, '--models must be a whole number from 1 to 8'],
    [{ models: '9' }, '--models must be a whole number from 1 to 8'],
    [{ models: 'two' }, '--models must be a whole number from 1 to 8'],
    [{ eppVersion: 'v0.10.0' }, 'unknown EPP version "v0.10.0"; pinned versions are: gie-v1.5.0, gie-v1.4.0'],
    [{ eppSamplerArg: '1.5' }, '--epp-sampler-arg must be a ratio between 0 and 1'],
    [{ faults: ['gateway:down'] }, '--fault takes COMPONENT:FAULT with COMPONENT one of mock-vllm, envoy, epp'],
    [{ faults: ['envoy:down'] }, 'unknown envoy fault "down"; valid: no-tracing'],
    [{ faults: ['mock-vllm:explode'] }, 'unknown mock-vllm fault "explode"; valid: drop-traceparent'],
    [{ eppResourceAttributes: 'novalue' }, 'resource attribute "novalue" is not key=value'],
    [{ operatorVersion: '0.148' }, '--operator-version must be an OpenTelemetry Operator release like v0.148.0'],
    [{ clusterName: 'Bad_Name' }, '--cluster-name must be a DNS label'],
  ])('rejects %j with a message naming the option', (raw, message) => {
    expect(() => resolve(raw)).toThrow(OptionError);
    expect(() => resolve(raw)).toThrow(message);
  });

  it('accepts a bare version number and faults', () => {
    const o = resolve({ eppVersion: 'v1.4.0', faults: ['mock-vllm:no-spans'] });
    expect(o.eppVersion).toBe('gie-v1.4.0');
    expect(o.faults).toEqual([{ component: 'mock-vllm', fault: 'no-spans' }]);
    const other = resolve({ faults: ['envoy:no-tracing', 'epp:wrong-exporter'] });
    expect(other.faults).toEqual([
      { component: 'envoy', fault: 'no-tracing' },
      { component: 'epp', fault: 'wrong-exporter' },
    ]);
  });

  it('has kind defaults from versions.yaml, and flags or env to keep or reuse the cluster', () => {
    expect(resolve({}).kind).toEqual({
      clusterName: versions.kind.clusterName,
      reuseCluster: false,
      keepCluster: false,
      operatorVersion: versions.kind.operator.default,
      goTargetExe: true,
    });
    const o = resolve({ operatorVersion: 'latest' }, { EPP_E2E_REUSE_CLUSTER: 'true', EPP_E2E_KIND_CLUSTER: 'mine' });
    expect(o.kind).toMatchObject({ clusterName: 'mine', reuseCluster: true, operatorVersion: 'latest' });
  });
});
