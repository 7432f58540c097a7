import type { KubeObject } from './kube-client';

/** What a kubelet knows about a pod at start that the API object does not carry yet. */
export interface PodRuntime {
  podIP: string;
  hostIP: string;
  nodeName: string;
  uid?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; [other: string]: unknown };
}

export interface PodContainer {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  securityContext?: { privileged?: boolean; runAsUser?: number; [k: string]: unknown };
  volumeMounts?: { name: string; mountPath: string }[];
  [k: string]: unknown;
}

export function podContainers(pod: KubeObject): PodContainer[] {
  return ((pod.spec as { containers?: PodContainer[] } | undefined)?.containers ?? []) as PodContainer[];
}

export function podContainer(pod: KubeObject, name: string): PodContainer {
  const c = podContainers(pod).find((x) => x.name === name);
  if (!c) {
    throw new Error(
      `pod ${pod.metadata.name} has no container ${name} (containers: ${podContainers(pod)
        .map((x) => x.name)
        .join(', ')})`,
    );
  }
  return c;
}

/** The downward-API fields a kubelet resolves for env (fieldRef), as far as a process on this machine has them. */
function fieldValue(pod: KubeObject, rt: PodRuntime, path: string): string {
  const meta = pod.metadata as {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return meta.labels?.[label[1]] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return meta.annotations?.[annotation[1]] ?? '';
  switch (path) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace ?? 'default';
    case 'metadata.uid':
      return meta.uid ?? rt.uid ?? '';
    case 'spec.nodeName':
      return rt.nodeName;
    case 'spec.serviceAccountName':
      return ((pod.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default') as string;
    case 'status.podIP':
      return rt.podIP;
    case 'status.hostIP':
      return rt.hostIP;
    default:
      throw new Error(`fieldRef ${path} is not one this harness resolves (pod ${meta.name})`);
  }
}

/**
 * Kubernetes' $(VAR) expansion of env values: a reference to a variable defined earlier in the same list is
 * replaced, `$$` is an escaped `$`, and a reference to anything else stays as written (kubelet's expansion.Expand).
 */
export function expandVars(value: string, defined: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$' || i + 1 >= value.length) {
      out += value[i];
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, close);
      out += defined.has(name) ? defined.get(name)! : `$(${name})`;
      i = close;
    } else {
      out += '$';
    }
  }
  return out;
}

/**
 * A container's environment as a kubelet would start it: literal values, fieldRef from the pod and its runtime
 * facts, $(VAR) expanded in order. Sources a process here cannot have (secrets, config maps, resource fields)
 * are refused by name rather than silently dropped.
 */
export function resolveContainerEnv(pod: KubeObject, containerName: string, rt: PodRuntime): Record<string, string> {
  const container = podContainer(pod, containerName);
  const defined = new Map<string, string>();
  for (const e of container.env ?? []) {
    let value: string;
    if (e.valueFrom) {
      if (!e.valueFrom.fieldRef) {
        throw new Error(
          `container ${containerName} env ${e.name} comes from ${Object.keys(e.valueFrom).join(', ')}, ` +
            'which a local process cannot resolve',
        );
      }
      value = fieldValue(pod, rt, e.valueFrom.fieldRef.fieldPath);
    } else {
      value = expandVars(e.value ?? '', defined);
    }
    defined.set(e.name, value);
  }
  return Object.fromEntries(defined);
}
