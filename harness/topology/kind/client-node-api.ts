import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../components/kube-client';
import type { ClusterApi, ObjectRef, PodInfo } from './cluster-api';

// @kubernetes/client-node 1.x is an ES module. Node 20.19+ loads it with require(); ts-jest's module
// system cannot, which is why only this file touches it and the unit tests use a fake ClusterApi instead.
type K8s = typeof import('@kubernetes/client-node');
function loadClientNode(): K8s {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as K8s;
}

const FIELD_MANAGER = 'epp-e2e';

function apiMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string; code?: number };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* keep the text */
    }
  }
  const msg = (body as { message?: string } | undefined)?.message;
  return msg ?? e.message ?? String(err);
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

/** The real ClusterApi, on the kubeconfig `kind` wrote for the cluster. */
export function clientNodeApi(kubeconfigFile: string): ClusterApi {
  const k8s = loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${kubeconfigFile}: no current cluster`);
  // Like kc.makeApiClient, plus two things on writes, so that a misspelt manifest field fails instead of
  // "applying" and doing nothing: strict field validation (the server otherwise only warns and drops it), and
  // our own JSON body (client-node's serializer drops the fields its typed models do not know, before sending).
  let pendingBody: string | undefined;
  const objects = new k8s.KubernetesObjectApi(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (ctx) => {
            if (ctx.getHttpMethod() === k8s.HttpMethod.PATCH) {
              ctx.setQueryParam('fieldValidation', 'Strict');
              if (pendingBody !== undefined) ctx.setBody(pendingBody);
            }
            return ctx;
          },
          post: async (res) => res,
        },
      ],
    }),
  );
  // One write at a time: pendingBody belongs to the patch in flight.
  let writes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = writes.then(fn, fn);
    writes = run.catch(() => undefined);
    return run;
  };
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const forward = new k8s.PortForward(kc, true);
  const spec = (o: ObjectRef) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
  });
  return {
    apply(obj, opts = {}) {
      return serialized(async () => {
        pendingBody = JSON.stringify(obj);
        try {
          const res = await objects.patch(
            obj as never,
            undefined,
            opts.dryRun ? 'All' : undefined,
            FIELD_MANAGER,
            true,
            k8s.PatchStrategy.ServerSideApply,
          );
          return res as unknown as KubeObject;
        } catch (err) {
          throw new Error(`apply ${obj.kind} ${obj.metadata.name}: ${apiMessage(err)}`);
        } finally {
          pendingBody = undefined;
        }
      });
    },
    async get(ref) {
      try {
        return (await objects.read(spec(ref) as never)) as unknown as KubeObject;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw new Error(`get ${ref.kind} ${ref.metadata.name}: ${apiMessage(err)}`);
      }
    },
    async delete(ref) {
      try {
        // Background: the object goes at once and the garbage collector removes its dependents after.
        await objects.delete(spec(ref) as never, undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`delete ${ref.kind} ${ref.metadata.name}: ${apiMessage(err)}`);
      }
    },
    async listPods(namespace, labelSelector) {
      const list = await core.listNamespacedPod({ namespace, labelSelector });
      return list.items.map(
        (p): PodInfo => ({
          name: p.metadata?.name ?? '',
          namespace,
          ip: p.status?.podIP,
          phase: p.status?.phase ?? 'Unknown',
          ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          nodeName: p.spec?.nodeName,
          containers: (p.spec?.containers ?? []).map((c) => c.name),
          raw: { apiVersion: 'v1', kind: 'Pod', ...(p as object) } as unknown as KubeObject,
        }),
      );
    },
    async podLogs(namespace, pod, container) {
      try {
        return await core.readNamespacedPodLog({ namespace, name: pod, container, timestamps: true });
      } catch (err) {
        return `(no logs: ${apiMessage(err)})`;
      }
    },
    async events(namespace) {
      const list = await core.listNamespacedEvent({ namespace });
      return list.items
        .sort((a, b) =>
          String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')),
        )
        .map(
          (e) =>
            `${String(e.lastTimestamp ?? e.eventTime ?? '')} ${e.type ?? ''} ${e.reason ?? ''} ` +
            `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message ?? ''}`,
        );
    },
    async list(apiVersion, kind, namespace) {
      const res = await objects.list(apiVersion, kind, namespace);
      return res.items as unknown as KubeObject[];
    },
    async forwardSocket(namespace: string, pod: string, port: number, socket: Duplex) {
      await forward.portForward(namespace, pod, [port], socket, null, socket);
    },
  };
}
