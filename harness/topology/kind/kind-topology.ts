import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RunOptions } from '../../config/run-options';
import { EXT_PROC_SERVICE, readEppCrds } from '../../components/epp';
import type { KubeObject } from '../../components/kube-client';
import { REPO_ROOT, type Versions } from '../../tools/versions';
import { waitReady, type Probe } from '../../runtime/readiness';
import { createRunContext } from '../../runtime/run-context';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../../components/service-names';
import { TOPOLOGY_CAPABILITIES, type Capability, type Endpoints, type Topology } from '../types';
import type { ClusterApi, PodInfo } from './cluster-api';
import { KIND_CONFIG, MOCK_VLLM_DOCKERFILE, type KindCli } from './kind-cli';
import {
  EPP_SERVICE,
  INSTRUMENTATION_NAME,
  KIND_NAMESPACE,
  KIND_PORTS,
  MODEL_SERVER_APP,
  renderKindManifests,
} from './manifests';
import { admissionProbePod } from '../../components/operator-epp-pod';
import { PortForwards } from './port-forwards';
import {
  CERT_MANAGER_DEPLOYMENTS,
  CERT_MANAGER_NAMESPACE,
  OPERATOR_DEPLOYMENT,
  OPERATOR_NAMESPACE,
  certManagerRelease,
  enableGoInstrumentation,
  installOrder,
  operatorRelease,
  type ReleaseManifest,
} from './release-manifests';

/** What the kind topology needs from the outside world; unit tests pass fakes for all of it. */
export interface KindDeps {
  versions: Versions;
  kind: KindCli;
  connect(kubeconfigFile: string): ClusterApi;
  eppModuleDir(): Promise<string>;
  releaseManifest(r: ReleaseManifest): Promise<KubeObject[]>;
  /** Deadlines, shortened by the unit tests. */
  timeouts: { deploymentMs: number; webhookMs: number; crdMs: number; namespaceGoneMs: number; pollMs: number };
}

export const KIND_TIMEOUTS: KindDeps['timeouts'] = {
  deploymentMs: 300000,
  webhookMs: 180000,
  crdMs: 60000,
  namespaceGoneMs: 120000,
  pollMs: 1000,
};

/** The namespaces whose state explains a failure: ours, the operator's and cert-manager's. */
export const DIAGNOSED_NAMESPACES = [KIND_NAMESPACE, OPERATOR_NAMESPACE, CERT_MANAGER_NAMESPACE];

function deploymentProbe(api: ClusterApi, namespace: string, name: string): Probe {
  return async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const d = (await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } })) as any;
    if (!d) return 'not created yet';
    const available = (d.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Available');
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return 'rollout not observed yet';
    if (available?.status === 'True' && (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1)) return true;
    return `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} ready${available?.message ? `: ${available.message}` : ''}`;
  };
}

function crdProbe(api: ClusterApi, name: string): Probe {
  return async () => {
    const crd = (await api.get({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
    })) as { status?: { conditions?: { type: string; status: string; message?: string }[] } } | undefined;
    const est = (crd?.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Established');
    return est?.status === 'True' ? true : `not Established (${est?.message ?? 'no condition yet'})`;
  };
}

async function applyAll(api: ClusterApi, objects: KubeObject[]): Promise<void> {
  for (const o of objects) await api.apply(o);
}

/**
 * A release's objects, each retried while an admission webhook cannot be reached or not trusted yet: the
 * operator's Certificate and Issuer go through cert-manager's webhook, which answers a little after its
 * Deployment is Available (its CA bundle is injected by the cainjector). Any other error fails at once.
 */
async function applyRelease(api: ClusterApi, objects: KubeObject[], timeoutMs: number, pollMs: number): Promise<void> {
  for (const o of objects) {
    let last = '';
    await waitReady(
      `${o.kind} ${o.metadata.name} admitted`,
      async () => {
        try {
          await api.apply(o);
          return true;
        } catch (err) {
          last = (err as Error).message;
          if (/webhook|x509|connection refused|no endpoints available/i.test(last)) return last;
          throw new NotRetryable(last);
        }
      },
      { timeoutMs, intervalMs: pollMs, stopOn: (e) => e instanceof NotRetryable },
    );
  }
}

class NotRetryable extends Error {}

/** One readiness wait per Deployment, all at once; the error names the Deployment and its last state. */
async function waitDeployments(api: ClusterApi, namespace: string, names: string[], timeoutMs: number): Promise<void> {
  await Promise.all(
    names.map((n) =>
      waitReady(`Deployment ${namespace}/${n} Available`, deploymentProbe(api, namespace, n), {
        timeoutMs,
        intervalMs: 500,
      }),
    ),
  );
}

async function waitCrds(api: ClusterApi, objects: KubeObject[], timeoutMs: number): Promise<void> {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  await Promise.all(
    crds.map((c) =>
      waitReady(`CRD ${c.metadata.name} Established`, crdProbe(api, c.metadata.name), { timeoutMs, intervalMs: 300 }),
    ),
  );
}

/**
 * The operator's webhooks answer only once cert-manager has issued their certificate and the manager is
 * serving. A server-side dry-run of our Instrumentation goes through the validating webhook, so when it is
 * accepted, the webhook that will inject the EPP pod is serving too (its failurePolicy is Ignore: a pod
 * created earlier would be silently left uninstrumented).
 */
function webhookProbe(api: ClusterApi, instrumentation: KubeObject): Probe {
  return async () => {
    await api.apply(instrumentation, { dryRun: true });
    return true;
  };
}

async function podsOf(api: ClusterApi, app: string): Promise<PodInfo[]> {
  return (await api.listPods(KIND_NAMESPACE, `app=${app}`)).filter((p) => p.phase === 'Running' && p.ready);
}

async function onePod(api: ClusterApi, app: string): Promise<PodInfo> {
  const [pod] = await podsOf(api, app);
  if (!pod) throw new Error(`no ready pod with app=${app} in ${KIND_NAMESPACE}`);
  return pod;
}

/** Pod logs, events and object dumps of every namespace that matters, into `dir` (chainsaw's catch step). */
export async function collectKindArtifacts(api: ClusterApi, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const ns of DIAGNOSED_NAMESPACES) {
    const nsDir = join(dir, ns);
    mkdirSync(nsDir, { recursive: true });
    const attempt = async (file: string, fn: () => Promise<string>): Promise<void> => {
      let text: string;
      try {
        text = await fn();
      } catch (err) {
        text = `(could not collect: ${(err as Error).message})`;
      }
      writeFileSync(join(nsDir, file), text);
      written.push(join(nsDir, file));
    };
    await attempt('events.txt', async () => (await api.events(ns)).join('\n') + '\n');
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['v1', 'Pod'],
      ['opentelemetry.io/v1alpha1', 'Instrumentation'],
      ['inference.networking.k8s.io/v1', 'InferencePool'],
    ] as const) {
      await attempt(`${kind.toLowerCase()}s.yaml`, async () => stringify(await api.list(apiVersion, kind, ns)));
    }
    const pods = await api.listPods(ns, '').catch(() => [] as PodInfo[]);
    for (const pod of pods) {
      for (const c of pod.containers) {
        await attempt(`${pod.name}.${c}.log`, () => api.podLogs(ns, pod.name, c));
      }
    }
  }
  return written;
}

class KindTopology implements Topology {
  readonly name = 'kind' as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(TOPOLOGY_CAPABILITIES.kind);

  constructor(
    readonly endpoints: Endpoints,
    private readonly api: ClusterApi,
    private readonly teardown: () => Promise<void>,
  ) {}

  /**
   * The pods of our namespace, one log file per container, named by component; plus, for the failure folder,
   * the events and objects of our, the operator's and cert-manager's namespaces and the operator's log (the
   * full per-namespace dump stays in `<run>/artifacts/`).
   */
  async collectLogs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const logsDir = this.endpoints.logsDir;
    for (const pod of await this.api.listPods(KIND_NAMESPACE, '')) {
      const labels = (pod.raw.metadata as { labels?: Record<string, string> }).labels;
      const app = labels?.app ?? pod.name;
      for (const c of pod.containers) {
        const component = app === MODEL_SERVER_APP ? `${pod.name}` : c === app ? app : `${app}-${c}`;
        const file = join(logsDir, `${component}.log`);
        writeFileSync(file, await this.api.podLogs(KIND_NAMESPACE, pod.name, c));
        out[component] = file;
      }
    }
    const written = await collectKindArtifacts(this.api, join(this.endpoints.runDir, 'artifacts'));
    const combine = (name: string, pick: (f: string) => boolean): void => {
      const file = join(logsDir, name);
      writeFileSync(
        file,
        written
          .filter(pick)
          .map((f) => `--- ${f}\n${readFileSync(f, 'utf8')}`)
          .join('\n'),
      );
      out[name] = file;
    };
    combine('kind-events.txt', (f) => f.endsWith('events.txt'));
    combine('kind-objects.yaml', (f) => f.endsWith('.yaml'));
    combine('operator.log', (f) => f.includes(`${OPERATOR_NAMESPACE}/`) && f.endsWith('.manager.log'));
    return out;
  }

  stop(): Promise<void> {
    return this.teardown();
  }

  async eppPod(): Promise<KubeObject> {
    return (await onePod(this.api, 'epp')).raw;
  }

  async admitEppPod(annotations: Record<string, string | null>): Promise<KubeObject> {
    // The pod as written is the EPP Deployment's template: the webhook mutates pods, not the Deployment.
    const deployment = await this.api.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: EPP_SERVICE, namespace: KIND_NAMESPACE },
    });
    const template = (deployment?.spec as { template?: Parameters<typeof admissionProbePod>[0] } | undefined)?.template;
    if (!template) throw new Error(`no Deployment ${EPP_SERVICE} with a pod template in ${KIND_NAMESPACE}`);
    return this.api.apply(admissionProbePod(template, KIND_NAMESPACE, annotations), { dryRun: true });
  }
}

/**
 * Creates the run's kind cluster, or uses an existing one when asked to (--reuse-cluster, or the scenario run
 * that created it for all scenario files). Refuses to silently take over a cluster nobody said to reuse.
 */
export async function acquireCluster(
  opts: RunOptions,
  deps: Pick<KindDeps, 'kind' | 'versions'>,
  progress: (m: string) => void,
  kubeconfig: string,
): Promise<{ created: boolean }> {
  const { kind, versions } = deps;
  const cluster = opts.kind.clusterName;
  const docker = await kind.dockerVersion();
  if (!docker) {
    throw new Error(
      'the kind topology needs a running Docker engine and `docker info` failed. Start Docker, or run the ' +
        'local topology, which needs none: `make e2e TOPOLOGY=local` (or --topology local).',
    );
  }
  const exists = await kind.clusterExists(cluster);
  if (exists && !opts.kind.reuseCluster) {
    throw new Error(
      `a kind cluster named "${cluster}" already exists. Pass --reuse-cluster (EPP_E2E_REUSE_CLUSTER=1) to run in ` +
        `it, --cluster-name to use another, or delete it: kind delete cluster --name ${cluster}`,
    );
  }
  if (exists) {
    progress(`reusing kind cluster ${cluster} (Docker ${docker})`);
    await kind.writeKubeconfig(cluster, kubeconfig);
    return { created: false };
  }
  progress(`creating kind cluster ${cluster} with ${versions.kind.nodeImage} (a minute or two)`);
  await kind.createCluster(cluster, { config: KIND_CONFIG, nodeImage: versions.kind.nodeImage, kubeconfig });
  return { created: true };
}

/**
 * Brings up the kind topology: cluster (created, or reused with --reuse-cluster), the mock vLLM image loaded
 * into it, cert-manager and the OpenTelemetry Operator (Go auto-instrumentation on) from their release
 * manifests, the EPP's CRDs, then our manifests step by step, each waiting on its Deployments. Port-forwards on
 * 127.0.0.1 give scenarios the same Endpoints as the local topology. On a failed start the artifacts are
 * collected first, then everything this run made is removed, unless --keep-cluster.
 */
export async function startKindTopology(
  opts: RunOptions,
  progress: (m: string) => void,
  deps: KindDeps,
): Promise<Topology> {
  const { kind, versions } = deps;
  const ctx = createRunContext(opts.runsRoot, progress);
  const cluster = opts.kind.clusterName;
  const kubeconfig = join(ctx.runDir, 'kubeconfig');
  const { created } = await acquireCluster(opts, deps, progress, kubeconfig);
  const api = deps.connect(kubeconfig);
  const forwards = new PortForwards(api, progress);
  let stopped = false;
  const teardown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await forwards.closeAll();
    if (opts.kind.keepCluster) {
      progress(`keeping cluster ${cluster} (--keep-cluster); delete it with: kind delete cluster --name ${cluster}`);
    } else if (created) {
      progress(`deleting kind cluster ${cluster}`);
      await kind.deleteCluster(cluster);
    } else {
      progress(`deleting namespace ${KIND_NAMESPACE} from the reused cluster ${cluster}`);
      await api.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: KIND_NAMESPACE } });
    }
  };
  try {
    const t = deps.timeouts;
    const image = versions.kind.mockVllmImage;
    progress(`building the mock vLLM image ${image} and loading it into ${cluster}`);
    await kind.buildImage(image, MOCK_VLLM_DOCKERFILE, REPO_ROOT);
    await kind.loadImage(cluster, image);

    const cm = certManagerRelease(versions);
    progress(`installing cert-manager ${cm.version}`);
    const cmObjects = installOrder(await deps.releaseManifest(cm));
    await applyRelease(api, cmObjects, t.webhookMs, t.pollMs);
    await waitCrds(api, cmObjects, t.crdMs);
    await waitDeployments(api, CERT_MANAGER_NAMESPACE, CERT_MANAGER_DEPLOYMENTS, t.deploymentMs);

    const op = operatorRelease(versions, opts.kind.operatorVersion);
    progress(`installing the OpenTelemetry Operator ${op.version} with Go auto-instrumentation enabled`);
    const opObjects = installOrder(enableGoInstrumentation(await deps.releaseManifest(op)));
    await applyRelease(api, opObjects, t.webhookMs, t.pollMs);
    await waitCrds(api, opObjects, t.crdMs);
    await waitDeployments(api, OPERATOR_NAMESPACE, [OPERATOR_DEPLOYMENT], t.deploymentMs);

    const eppCrds = readEppCrds(await deps.eppModuleDir());
    await applyAll(api, eppCrds);
    await waitCrds(api, eppCrds, t.crdMs);

    if (!created) {
      // A namespace left by an earlier run would keep its old pods and injection; start from nothing.
      const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KIND_NAMESPACE } };
      await api.delete(ns);
      await waitReady(
        `namespace ${KIND_NAMESPACE} deleted`,
        async () => ((await api.get(ns)) ? 'still terminating' : true),
        {
          timeoutMs: t.namespaceGoneMs,
          intervalMs: 500,
        },
      );
    }
    const steps = renderKindManifests(opts, versions);
    writeFileSync(
      join(ctx.runDir, 'manifests.yaml'),
      steps
        .flatMap((s) => s.objects)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    for (const step of steps) {
      progress(`applying ${step.name} (${step.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
      if (step.name === 'instrumentation') {
        await waitReady('OpenTelemetry Operator webhook serving', webhookProbe(api, step.objects[0]), {
          timeoutMs: t.webhookMs,
          intervalMs: t.pollMs,
        });
      }
      await applyAll(api, step.objects);
      await waitDeployments(api, KIND_NAMESPACE, step.waitForDeployments, t.deploymentMs);
    }

    progress('opening port-forwards on 127.0.0.1');
    const [envoy, epp, jaeger] = await Promise.all([onePod(api, 'envoy'), onePod(api, 'epp'), onePod(api, 'jaeger')]);
    const mocks = (await podsOf(api, MODEL_SERVER_APP)).sort((a, b) => a.name.localeCompare(b.name));
    if (mocks.length !== opts.models)
      throw new Error(`expected ${opts.models} ready mock vLLM pods, found ${mocks.length}`);
    // One local port per pod port, labelled pod:port in port-forward errors.
    const forward = (pod: PodInfo, port: number) =>
      forwards.open(KIND_NAMESPACE, pod.name, port, `${pod.name}:${port}`);
    const gateway = await forward(envoy, KIND_PORTS.gateway);
    const extProc = await forward(epp, KIND_PORTS.eppGrpc);
    const metrics = await forward(epp, KIND_PORTS.eppMetrics);
    const query = await forward(jaeger, KIND_PORTS.jaegerQuery);
    const models = [];
    for (const m of mocks) {
      const f = await forward(m, KIND_PORTS.model);
      models.push({
        // The EPP names an endpoint <pod>-rank-<i>, one per target port; the pool has one port.
        name: `${m.name}-rank-0`,
        address: `${m.ip}:${KIND_PORTS.model}`,
        url: `http://${f.address}`,
        model: opts.modelName,
      });
    }
    const endpoints: Endpoints = {
      topology: 'kind',
      eppVersion: opts.eppVersion,
      gateway: `http://${gateway.address}`,
      extProc: extProc.address,
      // The GIE EPPs pinned here have no KV-event (ZeroMQ) subscriber.
      kvEvents: null,
      eppMetrics: `http://${metrics.address}/metrics`,
      jaegerQuery: `http://${query.address}`,
      jaegerUi: `http://${query.address}`,
      models,
      services: { epp: opts.eppServiceName, envoy: ENVOY_SERVICE, mockVllm: MOCK_VLLM_SERVICE },
      logsDir: ctx.logsDir,
      runDir: ctx.runDir,
    };
    writeFileSync(
      join(ctx.runDir, 'endpoints.json'),
      JSON.stringify(
        { ...endpoints, cluster, instrumentation: INSTRUMENTATION_NAME, healthService: EXT_PROC_SERVICE },
        null,
        2,
      ),
    );
    return new KindTopology(endpoints, api, teardown);
  } catch (err) {
    const dir = join(ctx.runDir, 'artifacts');
    progress(`start-up failed: collecting pod logs, events and objects into ${dir}`);
    await collectKindArtifacts(api, dir).catch((e: Error) => progress(`artifact collection failed: ${e.message}`));
    await teardown().catch((e: Error) => progress(`teardown failed: ${e.message}`));
    const error = err instanceof Error ? err : new Error(String(err));
    error.message += `\nkind artifacts (pod logs, events, objects): ${dir}`;
    throw error;
  }
}
