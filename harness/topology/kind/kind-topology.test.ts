import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunOptions, type RawOptions } from '../../config/run-options';
import type { KubeObject } from '../../components/kube-client';
import { GO_TARGET_EXE, INJECT_GO } from '../../components/operator';
import { loadVersions } from '../../tools/versions';
import { FakeCluster, FakeKindCli } from './fake-cluster';
import { startKindTopology, type KindDeps } from './kind-topology';
import { GO_INSTRUMENTATION_FLAG, OPERATOR_DEPLOYMENT, type ReleaseManifest } from './release-manifests';

const versions = loadVersions();
const runsRoot = mkdtempSync(join(tmpdir(), 'epp-e2e-kind-'));
// The EPP's CRDs come from its Go module (config/crd/bases); a stand-in module directory for the unit test.
const eppModule = mkdtempSync(join(tmpdir(), 'epp-e2e-epp-module-'));
mkdirSync(join(eppModule, 'config', 'crd', 'bases'), { recursive: true });
writeFileSync(
  join(eppModule, 'config', 'crd', 'bases', 'inference.networking.k8s.io_inferencepools.yaml'),
  'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: inferencepools.inference.networking.k8s.io}\n',
);

function deployment(namespace: string, name: string, container = name, args: string[] = []): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: container, args }] } } },
  };
}
const crd = (name: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
});
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Release manifests shaped like the real ones: the Deployment before its CRDs, as kustomize writes them. */
function releases(r: ReleaseManifest): KubeObject[] {
  if (r.name === 'cert-manager') {
    return [
      ns('cert-manager'),
      deployment('cert-manager', 'cert-manager'),
      deployment('cert-manager', 'cert-manager-cainjector'),
      deployment('cert-manager', 'cert-manager-webhook'),
      crd('certificates.cert-manager.io'),
    ];
  }
  return [
    ns('opentelemetry-operator-system'),
    deployment('opentelemetry-operator-system', OPERATOR_DEPLOYMENT, 'manager', ['--zap-log-level=info']),
    crd('instrumentations.opentelemetry.io'),
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'opentelemetry-operator-serving-cert', namespace: 'opentelemetry-operator-system' },
    },
  ];
}

function setup(raw: RawOptions = {}) {
  const cluster = new FakeCluster();
  const kind = new FakeKindCli();
  const progress: string[] = [];
  const deps: KindDeps = {
    versions,
    kind,
    connect: () => cluster,
    eppModuleDir: async () => '/nonexistent',
    releaseManifest: async (r) => releases(r),
    timeouts: { deploymentMs: 300, webhookMs: 10000, crdMs: 300, namespaceGoneMs: 300, pollMs: 10 },
  };
  deps.eppModuleDir = async () => eppModule;
  const opts = resolveRunOptions({ topology: 'kind', models: 2, runsRoot, ...raw }, {}, versions);
  return { cluster, kind, deps, opts, progress, start: () => startKindTopology(opts, (m) => progress.push(m), deps) };
}

function readSocket(address: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), host);
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

describe('kind topology orchestration (fake API server)', () => {
  it('creates the cluster, installs cert-manager, the operator with Go on, then our parts in order', async () => {
    const t = setup();
    const topo = await t.start();
    try {
      expect(t.kind.calls.slice(0, 4)).toEqual([
        'docker info',
        `kind create cluster ${versions.kind.clusterName} --image ${versions.kind.nodeImage} --config kind-config.yaml`,
        `docker build ${versions.kind.mockVllmImage}`,
        `kind load ${versions.kind.mockVllmImage} into ${versions.kind.clusterName}`,
      ]);
      const applies = t.cluster.calls.filter((c) => c.startsWith('apply') || c.startsWith('dry-run'));
      const at = (c: string): number => {
        const i = applies.indexOf(c);
        if (i < 0) throw new Error(`${c} not in:\n${applies.join('\n')}`);
        return i;
      };
      // CRDs before the rest of a release; the webhook is proven serving before the Instrumentation is applied,
      // and the Instrumentation exists before the EPP pod the webhook must inject.
      expect(at('apply CustomResourceDefinition certificates.cert-manager.io')).toBeLessThan(
        at('apply Deployment cert-manager/cert-manager'),
      );
      expect(at('apply Deployment cert-manager/cert-manager-webhook')).toBeLessThan(
        at('apply Deployment opentelemetry-operator-system/opentelemetry-operator-controller-manager'),
      );
      expect(applies.filter((c) => c.startsWith('dry-run'))).toHaveLength(3);
      expect(at('dry-run Instrumentation epp-e2e/epp-go')).toBeLessThan(at('apply Instrumentation epp-e2e/epp-go'));
      expect(at('apply Instrumentation epp-e2e/epp-go')).toBeLessThan(at('apply Deployment epp-e2e/epp'));
      expect(at('apply Deployment epp-e2e/epp')).toBeLessThan(at('apply Deployment epp-e2e/envoy'));
      const manager = (await t.cluster.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: OPERATOR_DEPLOYMENT, namespace: 'opentelemetry-operator-system' },
      })) as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      expect(manager.spec.template.spec.containers[0].args).toEqual(['--zap-log-level=info', GO_INSTRUMENTATION_FLAG]);

      const e = topo.endpoints;
      expect(e.topology).toBe('kind');
      expect(e.models.map((m) => m.name)).toEqual([
        expect.stringMatching(/^mock-vllm-\d+-rank-0$/),
        expect.stringMatching(/^mock-vllm-\d+-rank-0$/),
      ]);
      expect(e.models.map((m) => m.address)).toEqual([
        expect.stringMatching(/^10\.244\.0\.\d+:8000$/),
        expect.stringMatching(/^10\.244\.0\.\d+:8000$/),
      ]);
      // The port-forwards reach the right pod and port, on loopback.
      expect(e.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await readSocket(e.gateway.replace('http://', ''))).toMatch(/^epp-e2e\/envoy-\d+:8081$/);
      expect(await readSocket(e.extProc)).toMatch(/^epp-e2e\/epp-\d+:9002$/);
      expect(await readSocket(e.jaegerQuery.replace('http://', ''))).toMatch(/^epp-e2e\/jaeger-\d+:16686$/);
      const secondMock = e.models[1].name.replace(/-rank-0$/, '');
      expect(await readSocket(e.models[1].url.replace('http://', ''))).toBe(`epp-e2e/${secondMock}:8000`);
      const logs = await topo.collectLogs();
      expect(Object.keys(logs).sort()).toEqual(
        [
          'envoy',
          'epp',
          'jaeger',
          'kind-events.txt',
          'kind-objects.yaml',
          'operator.log',
          e.models[0].name.replace(/-rank-0$/, ''),
          secondMock,
        ].sort(),
      );
      expect(readFileSync(logs['operator.log'], 'utf8')).toMatch(
        /log of opentelemetry-operator-system\/opentelemetry-operator-controller-manager-\d+\/manager/,
      );
      expect(readFileSync(logs['kind-events.txt'], 'utf8')).toContain('assigned cert-manager/x');
      expect(readFileSync(logs.epp, 'utf8')).toMatch(/^log of epp-e2e\/epp-\d+\/epp/);
    } finally {
      await topo.stop();
    }
    // Stopping closes every forward and deletes the cluster this run created.
    await expect(readSocket(topo.endpoints.extProc)).rejects.toThrow(/ECONNREFUSED/);
    expect(t.kind.calls.at(-1)).toBe(`kind delete cluster ${versions.kind.clusterName}`);
  });

  it("puts a variant of the EPP Deployment's pod to the API server as a dry run (the injection negative control)", async () => {
    const t = setup();
    const topo = await t.start();
    try {
      const pod = await topo.admitEppPod!({ [GO_TARGET_EXE]: null });
      const annotations = pod.metadata.annotations as Record<string, string>;
      expect(pod.metadata).toMatchObject({ name: 'epp-admission-probe', namespace: 'epp-e2e' });
      expect(annotations[GO_TARGET_EXE]).toBeUndefined();
      expect(annotations[INJECT_GO]).toBe('epp-go');
      expect(t.cluster.calls).toContain('dry-run Pod epp-e2e/epp-admission-probe');
      expect(t.cluster.calls).not.toContain('apply Pod epp-e2e/epp-admission-probe');
    } finally {
      await topo.stop();
    }
  });

  it('without Docker, says so and how to run the local topology, and creates nothing', async () => {
    const t = setup();
    t.kind.docker = undefined;
    await expect(t.start()).rejects.toThrow(
      'the kind topology needs a running Docker engine and `docker info` failed. Start Docker, or run the local topology, which needs none: `make e2e TOPOLOGY=local`',
    );
    expect(t.kind.calls).toEqual(['docker info']);
  });

  it('never takes over an existing cluster unless told to; reused, it is cleaned and kept', async () => {
    const t = setup();
    t.kind.existing.add(versions.kind.clusterName);
    await expect(t.start()).rejects.toThrow(
      `a kind cluster named "${versions.kind.clusterName}" already exists. Pass --reuse-cluster`,
    );

    const r = setup({ reuseCluster: true });
    r.kind.existing.add(versions.kind.clusterName);
    const topo = await r.start();
    await topo.stop();
    expect(r.kind.calls).not.toContainEqual(expect.stringMatching(/create cluster|delete cluster/));
    expect(r.cluster.calls.filter((c) => c.startsWith('delete'))).toEqual([
      'delete Namespace epp-e2e', // the leftover of an earlier run, before applying
      'delete Namespace epp-e2e', // this run's, on stop
    ]);
  });

  it('on a failed start: collects pod logs, events and objects, closes forwards and deletes the cluster', async () => {
    const t = setup();
    t.cluster.stuck.add('epp-e2e/epp');
    const err = (await t.start().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^Deployment epp-e2e\/epp Available: not ready after 0s \(last: 0\/1 ready: MinimumReplicasUnavailable\)/,
    );
    const dir = /kind artifacts \(pod logs, events, objects\): (.*)$/.exec(err.message)?.[1] as string;
    expect(existsSync(join(dir, 'epp-e2e', 'events.txt'))).toBe(true);
    expect(readFileSync(join(dir, 'epp-e2e', 'deployments.yaml'), 'utf8')).toContain('MinimumReplicasUnavailable');
    expect(existsSync(join(dir, 'opentelemetry-operator-system', 'deployments.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'epp-e2e', `${t.cluster.lastPod('epp')}.epp.log`))).toBe(true);
    expect(t.kind.calls.at(-1)).toBe(`kind delete cluster ${versions.kind.clusterName}`);
  });

  it("retries a release object while cert-manager's webhook is not trusted yet, and fails at once on anything else", async () => {
    const t = setup();
    const cert = 'Certificate opentelemetry-operator-serving-cert';
    t.cluster.failApply.set(cert, {
      times: 2,
      message:
        'Internal error occurred: failed calling webhook "webhook.cert-manager.io": x509: certificate signed by unknown authority',
    });
    await (await t.start()).stop();
    expect(t.cluster.calls.filter((c) => c.includes('opentelemetry-operator-serving-cert'))).toHaveLength(3);

    const bad = setup();
    bad.cluster.failApply.set(cert, { times: Infinity, message: '.spec.secretNme: field not declared in schema' });
    const err = (await bad.start().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^apply Certificate opentelemetry-operator-serving-cert: \.spec\.secretNme: field not declared in schema/,
    );
    expect(bad.cluster.calls.filter((c) => c.includes('opentelemetry-operator-serving-cert'))).toHaveLength(1);
  });

  it('keeps the cluster with --keep-cluster, and says how to delete it', async () => {
    const t = setup({ keepCluster: true });
    const topo = await t.start();
    await topo.stop();
    expect(t.kind.calls).not.toContainEqual(expect.stringMatching(/delete cluster/));
    expect(t.progress.at(-1)).toBe(
      `keeping cluster ${versions.kind.clusterName} (--keep-cluster); delete it with: kind delete cluster --name ${versions.kind.clusterName}`,
    );
  });
});
