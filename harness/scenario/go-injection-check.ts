import type { KubeObject } from '../components/kube-client';
import { GO_SIDECAR } from '../components/operator-epp-pod';

export { GO_SIDECAR };

/** What the operator must have done to the EPP pod for Go (its golang.go / sdk.go injectGo). */
export interface ExpectedGoInjection {
  targetExe: string;
  appContainer: string;
  namespace: string;
  serviceName: string;
  exporterEndpoint: string;
  propagators: string[];
  sampler: string;
  samplerArg: string;
  resourceAttributes: Record<string, string>;
  /** The workload attribute the operator adds (kind: k8s.deployment.name); a bare Pod (local) has none. */
  workloadAttribute?: string;
  /**
   * Resource keys the operator leaves out of the sidecar because the app container already sets them in its own
   * OTEL_RESOURCE_ATTRIBUTES (createResourceMap skips "existing" keys, a rule meant for SDK injection into that
   * same container; for Go the sidecar loses them). Observed with the local EPP pod, pinned: present is a failure.
   */
  droppedForApp?: string[];
}

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext?: { privileged?: boolean; runAsUser?: number };
  volumeMounts?: { name: string; mountPath: string }[];
}

/**
 * Every difference between the EPP pod and what Go injection should have made of it, one line each, so a
 * failure shows all of them (a pod created before the webhook served has none, and says so first).
 */
export function checkGoInjection(pod: KubeObject, want: ExpectedGoInjection): string[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spec = (pod as any).spec as {
    shareProcessNamespace?: boolean;
    containers: Container[];
    volumes?: { name: string; hostPath?: { path: string } }[];
  };
  const problems: string[] = [];
  const sidecar = spec.containers.find((c) => c.name === GO_SIDECAR);
  if (!sidecar) {
    return [
      `no ${GO_SIDECAR} container in pod ${pod.metadata.name} (containers: ${spec.containers.map((c) => c.name).join(', ')}): ` +
        'the operator did not inject Go (Go support off, no Instrumentation in the namespace, or the pod was created ' +
        'before the webhook served; see the operator log and the pod events)',
    ];
  }
  if (spec.shareProcessNamespace !== true)
    problems.push('spec.shareProcessNamespace is not true (the sidecar cannot see the EPP process)');
  const debugVol = spec.volumes?.find((v) => v.hostPath?.path === '/sys/kernel/debug');
  if (!debugVol) problems.push('no hostPath volume for /sys/kernel/debug');
  else if (!sidecar.volumeMounts?.some((m) => m.name === debugVol.name && m.mountPath === '/sys/kernel/debug')) {
    problems.push(`${GO_SIDECAR} does not mount ${debugVol.name} at /sys/kernel/debug`);
  }
  if (!sidecar.securityContext?.privileged && sidecar.securityContext?.runAsUser !== 0) {
    problems.push(`${GO_SIDECAR} is neither privileged nor root (eBPF probes need one of them)`);
  }
  const env = new Map(
    (sidecar.env ?? []).map((e) => [
      e.name,
      e.value ?? (e.valueFrom?.fieldRef ? `fieldRef:${e.valueFrom.fieldRef.fieldPath}` : ''),
    ]),
  );
  const expectEnv = (name: string, value: string): void => {
    const got = env.get(name);
    if (got === undefined) problems.push(`${GO_SIDECAR} env ${name} missing (want ${value})`);
    else if (got !== value) problems.push(`${GO_SIDECAR} env ${name}=${got}, want ${value}`);
  };
  expectEnv('OTEL_GO_AUTO_TARGET_EXE', want.targetExe);
  expectEnv('OTEL_SERVICE_NAME', want.serviceName);
  expectEnv('OTEL_EXPORTER_OTLP_ENDPOINT', want.exporterEndpoint);
  expectEnv('OTEL_PROPAGATORS', want.propagators.join(','));
  expectEnv('OTEL_TRACES_SAMPLER', want.sampler);
  expectEnv('OTEL_TRACES_SAMPLER_ARG', want.samplerArg);
  expectEnv('OTEL_RESOURCE_ATTRIBUTES_POD_NAME', 'fieldRef:metadata.name');
  const attrs = new Map(
    (env.get('OTEL_RESOURCE_ATTRIBUTES') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
  );
  const wantAttrs: Record<string, string> = {
    'k8s.container.name': want.appContainer,
    'k8s.namespace.name': want.namespace,
    'k8s.pod.name': '$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
    ...want.resourceAttributes,
  };
  const dropped = new Set(want.droppedForApp ?? []);
  for (const [k, v] of Object.entries(wantAttrs)) {
    if (dropped.has(k)) continue;
    if (attrs.get(k) !== v) problems.push(`OTEL_RESOURCE_ATTRIBUTES ${k}=${attrs.get(k) ?? '(missing)'}, want ${v}`);
  }
  for (const k of dropped) {
    if (attrs.has(k)) {
      problems.push(
        `OTEL_RESOURCE_ATTRIBUTES has ${k}=${attrs.get(k)}, which the operator was observed to leave out because the ` +
          'app container sets it: upstream changed, update the expectation',
      );
    }
  }
  if (want.workloadAttribute && !attrs.has(want.workloadAttribute))
    problems.push(`OTEL_RESOURCE_ATTRIBUTES has no ${want.workloadAttribute}`);
  return problems;
}
