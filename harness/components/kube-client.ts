import type { AxiosInstance } from 'axios';
import { httpClient, JSON_BODIES } from '../runtime/http';
import { Agent } from 'node:https';
import { poll, PollError } from '../runtime/poll';

/** The few resource kinds the local topology writes, and where they live in the API. */
const RESOURCES: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    group: '/apis/apiextensions.k8s.io/v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  'v1/Pod': { group: '/api/v1', plural: 'pods', namespaced: true },
  'v1/Namespace': { group: '/api/v1', plural: 'namespaces', namespaced: false },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    group: '/apis/admissionregistration.k8s.io/v1',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': {
    group: '/apis/admissionregistration.k8s.io/v1',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  'opentelemetry.io/v1alpha1/Instrumentation': {
    group: '/apis/opentelemetry.io/v1alpha1',
    plural: 'instrumentations',
    namespaced: true,
  },
  'inference.networking.k8s.io/v1/InferencePool': {
    group: '/apis/inference.networking.k8s.io/v1',
    plural: 'inferencepools',
    namespaced: true,
  },
};

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export function resourcePath(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const r = RESOURCES[`${obj.apiVersion}/${obj.kind}`];
  if (!r) throw new Error(`kube-client: no API path known for ${obj.apiVersion} ${obj.kind}`);
  const ns = r.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
  return `${r.group}${ns}/${r.plural}/${obj.metadata.name}`;
}

/**
 * A small Kubernetes client for the local control plane: server-side apply, status patch, get, and
 * waits on conditions. Errors carry the API's own message (e.g. a schema violation).
 */
export class KubeClient {
  private readonly http: AxiosInstance;

  constructor(server: string, token: string, caPem: string) {
    this.http = httpClient({
      ...JSON_BODIES,
      baseURL: server,
      httpsAgent: new Agent({ ca: caPem }),
      headers: { Authorization: `Bearer ${token}` },
      timeout: 15000,
    });
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    const res = await this.http.patch(resourcePath(obj), JSON.stringify(obj), {
      params: { fieldManager: 'epp-e2e', force: true },
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    return this.check(res.status, res.data, `apply ${obj.kind} ${obj.metadata.name}`);
  }

  /** Status is a subresource: with no kubelet, the harness is what says a Pod is running and ready. */
  async applyStatus(obj: KubeObject): Promise<KubeObject> {
    const res = await this.http.patch(`${resourcePath(obj)}/status`, JSON.stringify(obj), {
      params: { fieldManager: 'epp-e2e', force: true },
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    return this.check(res.status, res.data, `apply status of ${obj.kind} ${obj.metadata.name}`);
  }

  /** A server-side dry-run create: admission (webhooks included) runs, nothing is stored. */
  async dryRunCreate(obj: KubeObject): Promise<KubeObject> {
    const path = resourcePath(obj);
    const res = await this.http.post(path.slice(0, path.lastIndexOf('/')), obj, { params: { dryRun: 'All' } });
    return this.check(res.status, res.data, `dry-run create ${obj.kind} ${obj.metadata.name}`);
  }

  async get(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<KubeObject | undefined> {
    const res = await this.http.get(resourcePath(obj));
    if (res.status === 404) return undefined;
    return this.check(res.status, res.data, `get ${obj.kind} ${obj.metadata.name}`);
  }

  async waitForCrdEstablished(name: string, timeoutMs = 30000): Promise<void> {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } };
    await poll(
      () => this.get(crd),
      (found) => {
        const conditions =
          (found?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
        return conditions.some((c) => c.type === 'Established' && c.status === 'True') || JSON.stringify(conditions);
      },
      { timeoutMs, maxIntervalMs: 100 },
    ).catch((err: Error) => {
      throw err instanceof PollError
        ? new Error(`CRD ${name} not Established after ${timeoutMs / 1000}s (conditions: ${err.lastReason})`)
        : err;
    });
  }

  private check(status: number, data: unknown, what: string): KubeObject {
    if (status >= 200 && status < 300) return data as KubeObject;
    const message = (data as { message?: string } | undefined)?.message ?? JSON.stringify(data);
    throw new Error(`kube-apiserver refused to ${what}: HTTP ${status}: ${message}`);
  }
}
