import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../components/kube-client';
import { loadVersions } from '../../tools/versions';
import {
  GO_INSTRUMENTATION_FLAG,
  certManagerRelease,
  enableGoInstrumentation,
  fetchReleaseManifest,
  installOrder,
  operatorRelease,
  parseManifest,
} from './release-manifests';

// The operator's release manifest is `kustomize build config/default`: config/manager/manager.yaml with the
// name prefix `opentelemetry-operator-` and namespace `opentelemetry-operator-system` (operator v0.148.0).
const OPERATOR_EXCERPT = `
apiVersion: v1
kind: Namespace
metadata: {name: opentelemetry-operator-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: opentelemetry-operator-controller-manager, namespace: opentelemetry-operator-system}
spec:
  template:
    spec:
      containers:
      - name: manager
        image: ghcr.io/open-telemetry/opentelemetry-operator/opentelemetry-operator:0.148.0
        args: ["--zap-log-level=info", "--zap-time-encoding=rfc3339nano"]
      - name: kube-rbac-proxy
        args: ["--secure-listen-address=0.0.0.0:8443"]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: instrumentations.opentelemetry.io}
`;

describe('release manifests', () => {
  const versions = loadVersions();

  it('resolve the pinned URLs, and `latest` through GitHub’s latest-release link', () => {
    expect(certManagerRelease(versions).url).toBe(
      `https://github.com/cert-manager/cert-manager/releases/download/${versions.kind.certManager.version}/cert-manager.yaml`,
    );
    expect(operatorRelease(versions, 'v0.148.0').url).toBe(
      'https://github.com/open-telemetry/opentelemetry-operator/releases/download/v0.148.0/opentelemetry-operator.yaml',
    );
    expect(operatorRelease(versions, 'latest').url).toBe(versions.kind.operator.latestManifest);
  });

  it('turn on Go auto-instrumentation on the manager container only, once', () => {
    const objs = enableGoInstrumentation(enableGoInstrumentation(parseManifest(OPERATOR_EXCERPT, 'excerpt')));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [manager, proxy] = (objs[1] as any).spec.template.spec.containers;
    expect(manager.args).toEqual(['--zap-log-level=info', '--zap-time-encoding=rfc3339nano', GO_INSTRUMENTATION_FLAG]);
    expect(proxy.args).toEqual(['--secure-listen-address=0.0.0.0:8443']);
  });

  it('refuse a manifest whose shape changed instead of installing an operator that ignores inject-go', () => {
    const renamed = parseManifest(OPERATOR_EXCERPT.replace('name: manager', 'name: operator'), 'x');
    expect(() => enableGoInstrumentation(renamed)).toThrow(
      'the operator manifest has 0 Deployments named opentelemetry-operator-controller-manager with a "manager" container',
    );
  });

  it('put CRDs and Namespaces first and keep the rest in manifest order', () => {
    const order = installOrder(parseManifest(OPERATOR_EXCERPT, 'x')).map((o: KubeObject) => o.kind);
    expect(order).toEqual(['CustomResourceDefinition', 'Namespace', 'Deployment']);
  });

  describe('download', () => {
    let server: Server;
    let base = '';
    const hits: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        if (req.url?.includes('missing')) {
          res.writeHead(404).end('Not Found');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end(OPERATOR_EXCERPT);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('happens once per version (cached outside the checkout); `latest` is fetched every time', async () => {
      const env = { EPP_E2E_CACHE: mkdtempSync(join(tmpdir(), 'epp-e2e-cache-')) };
      const r = { name: 'opentelemetry-operator' as const, version: 'v0.148.0', url: `${base}/v0.148.0.yaml` };
      const progress: string[] = [];
      expect(await fetchReleaseManifest(r, (m) => progress.push(m), env)).toHaveLength(3);
      expect(await fetchReleaseManifest(r, (m) => progress.push(m), env)).toHaveLength(3);
      expect(existsSync(join(env.EPP_E2E_CACHE, 'manifests', 'opentelemetry-operator', 'v0.148.0.yaml'))).toBe(true);
      const latest = { ...r, version: 'latest', url: `${base}/latest.yaml` };
      await fetchReleaseManifest(latest, () => undefined, env);
      await fetchReleaseManifest(latest, () => undefined, env);
      expect(hits).toEqual(['/v0.148.0.yaml', '/latest.yaml', '/latest.yaml']);
      expect(progress).toEqual([
        `downloading the opentelemetry-operator v0.148.0 install manifest: ${base}/v0.148.0.yaml`,
      ]);
    });

    it('says which release could not be fetched and what to check', async () => {
      const env = { EPP_E2E_CACHE: mkdtempSync(join(tmpdir(), 'epp-e2e-cache-')) };
      const r = { name: 'cert-manager' as const, version: 'v9.9.9', url: `${base}/missing.yaml` };
      await expect(fetchReleaseManifest(r, () => undefined, env)).rejects.toThrow(
        `could not download the cert-manager v9.9.9 manifest from ${base}/missing.yaml: Request failed with status code 404. Check the version exists`,
      );
      expect(existsSync(join(env.EPP_E2E_CACHE, 'manifests', 'cert-manager', 'v9.9.9.yaml'))).toBe(false);
    });
  });
});
