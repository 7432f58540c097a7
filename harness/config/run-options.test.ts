import { loadVersions } from '../tools/versions';
import { CUSTOM_EPP, OptionError, resolveRunOptions } from './run-options';

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
    [
      { eppVersion: 'v9.9.9' },
      'unknown EPP version "v9.9.9"; pinned versions are: gie-v1.5.0, gie-v1.4.0, llm-d-router',
    ],
    [{ eppVersion: 'v0.10.0' }, 'EPP llm-d-router-v0.10.0 is image-only here (the Go module proxy does not serve it)'],
    [{ eppBinary: '/nonexistent/epp' }, '--epp-binary /nonexistent/epp: no such file'],
    [{ eppContract: 'gie-v1.5.0' }, '--epp-contract names the contract of an --epp-binary; none was given'],
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

  it('takes an llm-d plugin configuration only with an llm-d-router binary', () => {
    expect(() => resolve({ eppPlugins: 'pd' })).toThrow(
      '--epp-plugins configures an llm-d-router EPP: give one with --epp-binary',
    );
    const o = resolveRunOptions(
      { eppBinary: process.execPath, eppContract: 'llm-d-router-v0.9.0', eppPlugins: 'kv-events' },
      {},
      versions,
    );
    expect(o.eppPlugins).toBe('kv-events');
  });

  it('defaults kind to the llm-d image and local to the module build', () => {
    expect(resolve({ topology: 'kind' }).eppVersion).toBe(versions.epp.kindDefault);
    expect(resolve({ topology: 'kind' }).eppVersion).toBe('llm-d-router-v0.10.0');
    expect(resolve({ topology: 'kind', eppVersion: 'llm-d-router-v0.9.0' }).eppVersion).toBe('llm-d-router-v0.9.0');
  });

  describe('an EPP binary (--epp-binary)', () => {
    const bin = process.execPath;
    const known = () => ({ eppVersion: 'llm-d-router-v0.9.0', detail: 'github.com/llm-d/llm-d-router (devel)' });
    const unknown = () => ({ eppVersion: null, detail: 'example.com/epp v1.0.0: not a known EPP module' });

    it('takes the contract --epp-contract names, without reading the binary', () => {
      const identify = jest.fn(known);
      const o = resolveRunOptions({ eppBinary: bin, eppContract: 'llm-d-router-v0.10.0' }, {}, versions, identify);
      expect(o).toMatchObject({
        eppBinary: bin,
        eppVersion: 'llm-d-router-v0.10.0',
        eppContractSource: '--epp-contract',
      });
      expect(identify).not.toHaveBeenCalled();
    });

    it('otherwise takes the one its build information names, and says so', () => {
      const o = resolveRunOptions({ eppBinary: bin }, {}, versions, known);
      expect(o).toMatchObject({ eppVersion: 'llm-d-router-v0.9.0' });
      expect(o.eppContractSource).toBe('go version -m: github.com/llm-d/llm-d-router (devel)');
    });

    it('runs an unknown one with no contract', () => {
      expect(resolveRunOptions({ eppBinary: bin }, {}, versions, unknown).eppVersion).toBe(CUSTOM_EPP);
      expect(resolveRunOptions({ eppBinary: bin, eppContract: 'none' }, {}, versions, known).eppVersion).toBe(
        CUSTOM_EPP,
      );
    });

    it.each([
      [{ eppContract: 'llm-d-router-v9' }, 'unknown --epp-contract "llm-d-router-v9"; choose one of: gie-v1.5.0'],
      [{ eppVersion: 'gie-v1.5.0' }, '--epp-version picks a pinned build; with --epp-binary, name its contract'],
      [{ topology: 'kind' }, '--epp-binary runs on the local topology (kind runs EPP images)'],
      [{ eppPlugins: 'fast' }, 'unknown --epp-plugins "fast"; choose one of: pd, kv-events'],
      [{ eppPlugins: 'pd', eppContract: 'gie-v1.5.0' }, '--epp-plugins configures an llm-d-router EPP'],
    ])('rejects %j', (raw, message) => {
      expect(() => resolveRunOptions({ eppBinary: bin, ...raw }, {}, versions, known)).toThrow(message);
    });
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
