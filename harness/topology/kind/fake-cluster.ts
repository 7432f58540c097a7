import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../components/kube-client';
import type { ClusterApi, ObjectRef, PodInfo } from './cluster-api';
import type { KindCli } from './kind-cli';

const key = (o: ObjectRef): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * An in-memory API server for the kind topology's unit tests: it keeps what is applied, plays the controllers
 * (CRDs become Established, Deployments Available with ready pods) unless told a Deployment never becomes
 * ready, rejects webhook dry-runs until the operator would be serving, and answers port-forward streams with
 * the pod and port they reached. Every call is recorded, in order.
 */
export class FakeCluster implements ClusterApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  /** Deployments (namespace/name) that never become Available. */
  readonly stuck = new Set<string>();
  /** How many webhook dry-runs fail before the webhook "serves". */
  webhookFailures = 2;
  /** Applies of `Kind name` that fail, `times` times (Infinity: always), with `message`. */
  readonly failApply = new Map<string, { times: number; message: string }>();
  private podSeq = 0;
  private readonly pods = new Map<string, PodInfo[]>();

  async apply(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
    if (opts.dryRun) {
      this.calls.push(`dry-run ${obj.kind} ${ns}${obj.metadata.name}`);
      if (this.webhookFailures-- > 0)
        throw new Error('failed calling webhook "minstrumentation.kb.io": connection refused');
      return obj;
    }
    this.calls.push(`apply ${obj.kind} ${ns}${obj.metadata.name}`);
    const failure = this.failApply.get(`${obj.kind} ${obj.metadata.name}`);
    if (failure && failure.times-- > 0) throw new Error(`apply ${obj.kind} ${obj.metadata.name}: ${failure.message}`);
    if (obj.metadata.namespace && !this.objects.has(`Namespace//${obj.metadata.namespace}`)) {
      throw new Error(`apply ${obj.kind} ${obj.metadata.name}: namespaces "${obj.metadata.namespace}" not found`);
    }
    const stored = JSON.parse(JSON.stringify(obj)) as KubeObject & Record<string, unknown>;
    if (obj.kind === 'CustomResourceDefinition')
      stored.status = { conditions: [{ type: 'Established', status: 'True' }] };
    if (obj.kind === 'Deployment') this.rollOut(stored);
    this.objects.set(key(obj), stored);
    return stored;
  }

  private rollOut(d: KubeObject & Record<string, unknown>): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = d.spec as any;
    const replicas = spec?.replicas ?? 1;
    const ns = d.metadata.namespace as string;
    const stuck = this.stuck.has(`${ns}/${d.metadata.name}`);
    d.metadata.generation = 1;
    d.status = {
      observedGeneration: 1,
      readyReplicas: stuck ? 0 : replicas,
      conditions: [
        { type: 'Available', status: stuck ? 'False' : 'True', message: stuck ? 'MinimumReplicasUnavailable' : '' },
      ],
    };
    const app = spec?.template?.metadata?.labels?.app as string | undefined;
    if (!app) return;
    const pods: PodInfo[] = Array.from({ length: replicas }, () => {
      const n = ++this.podSeq;
      const name = `${d.metadata.name}-${n}`;
      return {
        name,
        namespace: ns,
        ip: `10.244.0.${n}`,
        phase: 'Running',
        ready: !stuck,
        nodeName: 'kind-control-plane',
        containers: (spec.template.spec.containers as { name: string }[]).map((c) => c.name),
        raw: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, labels: { app } },
          spec: spec.template.spec,
        },
      };
    });
    this.pods.set(`${ns}/${app}`, pods);
  }

  /** The name of the newest pod of an app in our namespace. */
  lastPod(app: string): string | undefined {
    return this.pods.get(`epp-e2e/${app}`)?.at(-1)?.name;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.objects.get(key(ref));
  }

  async delete(ref: ObjectRef): Promise<void> {
    this.calls.push(`delete ${ref.kind} ${ref.metadata.name}`);
    this.objects.delete(key(ref));
    if (ref.kind === 'Namespace') {
      for (const k of [...this.objects.keys()]) if (k.split('/')[1] === ref.metadata.name) this.objects.delete(k);
      for (const k of [...this.pods.keys()]) if (k.startsWith(`${ref.metadata.name}/`)) this.pods.delete(k);
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    const app = labelSelector.replace(/^app=/, '');
    return [...this.pods.entries()]
      .filter(([k]) => k.startsWith(`${namespace}/`) && (!labelSelector || k === `${namespace}/${app}`))
      .flatMap(([, p]) => p);
  }

  async podLogs(namespace: string, pod: string, container: string): Promise<string> {
    return `log of ${namespace}/${pod}/${container}\n`;
  }

  async events(namespace: string): Promise<string[]> {
    return [`Normal Scheduled Pod/x: assigned ${namespace}/x`];
  }

  async list(_apiVersion: string, kind: string, namespace: string): Promise<KubeObject[]> {
    return [...this.objects.values()].filter((o) => o.kind === kind && o.metadata.namespace === namespace);
  }

  /** Sends `<pod>:<port>` down the socket, or pipes to a real local server when one is registered. */
  readonly backends = new Map<string, number>();
  async forwardSocket(namespace: string, pod: string, port: number, socket: Duplex): Promise<void> {
    const backend = this.backends.get(`${pod}:${port}`);
    if (backend) {
      const upstream = createConnection(backend, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      return;
    }
    socket.end(`${namespace}/${pod}:${port}`);
  }
}

export class FakeKindCli implements KindCli {
  readonly calls: string[] = [];
  docker: string | undefined = '27.3.1';
  existing = new Set<string>();

  async dockerVersion() {
    this.calls.push('docker info');
    return this.docker;
  }
  async clusterExists(name: string) {
    return this.existing.has(name);
  }
  async createCluster(name: string, o: { config: string; nodeImage: string }) {
    this.calls.push(`kind create cluster ${name} --image ${o.nodeImage} --config ${o.config.split('/').pop()}`);
    this.existing.add(name);
  }
  async writeKubeconfig(name: string) {
    this.calls.push(`kind export kubeconfig ${name}`);
  }
  async deleteCluster(name: string) {
    this.calls.push(`kind delete cluster ${name}`);
    this.existing.delete(name);
  }
  async buildImage(tag: string) {
    this.calls.push(`docker build ${tag}`);
  }
  async loadImage(name: string, tag: string) {
    this.calls.push(`kind load ${tag} into ${name}`);
  }
}
