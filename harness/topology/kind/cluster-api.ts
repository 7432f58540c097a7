import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../components/kube-client';

export type ObjectRef = Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

export interface PodInfo {
  name: string;
  namespace: string;
  ip: string | undefined;
  phase: string;
  ready: boolean;
  nodeName: string | undefined;
  containers: string[];
  /** The whole Pod, as the API returned it (the injection scenario reads its spec). */
  raw: KubeObject;
}

/**
 * Everything the kind topology asks of a Kubernetes API server. The real one is @kubernetes/client-node
 * (client-node-api.ts); unit tests drive the orchestration with a fake that records the calls.
 */
export interface ClusterApi {
  /** Server-side apply (field manager epp-e2e, forced); with dryRun the server validates and admits only. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  delete(ref: ObjectRef): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
  podLogs(namespace: string, pod: string, container: string): Promise<string>;
  /** Events of a namespace, one line each, oldest first. */
  events(namespace: string): Promise<string[]>;
  /** Every object of these kinds in a namespace (for the failure dump). */
  list(apiVersion: string, kind: string, namespace: string): Promise<KubeObject[]>;
  /** Connects one local socket to a pod's port (one port-forward stream per TCP connection). */
  forwardSocket(namespace: string, pod: string, port: number, socket: Duplex): Promise<void>;
}
