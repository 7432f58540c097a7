import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { agentTargetBinary } from '../tools/agent-target';
import type { EppPin } from '../tools/versions';
import { portsOf, type LocalRun, type Run } from './declaration';
import { EXT_PROC_SERVICE, epp, eppArgs, eppEnv, eppPinOf, type EppConfig } from './epp';
import { jaegerOtlp } from './jaeger';
import { podContainers, resolveContainerEnv, type EnvVar, type PodRuntime } from './pod-env';
import type { KubeClient, KubeObject } from './kube-client';
import { CONTAINER_NAMES, GO_TARGET_EXE, INJECT_GO } from './operator';
import { renderTemplate } from './templates';

/** The name of the operator's Go sidecar container (sdk.go sideCarName). */
export const GO_SIDECAR = 'opentelemetry-auto-instrumentation';
export const EPP_CONTAINER = 'epp';
/** The operator names the service after the workload: the Deployment on kind, the Pod locally. Both are "epp". */
export const EPP_WORKLOAD = 'epp';
/** Our Instrumentation's name, on both topologies. */
export const INSTRUMENTATION_NAME = 'epp-go';
/** What a kubelet would know of the EPP pod: everything runs on this machine's loopback. */
export const LOCAL_POD_RUNTIME: PodRuntime = { podIP: '127.0.0.1', hostIP: '127.0.0.1', nodeName: 'epp-e2e-local' };

/**
 * The seed guide's annotations, one definition for both topologies: Go injection from our Instrumentation, aimed
 * at the binary of the `epp` container (without a target the operator injects nothing: the negative control).
 * Not `inject-sdk` as well: the operator refuses two injections into one container ("duplicated container names
 * detected: [epp]", then it skips the pod altogether, Go included; seen with v0.148.0 here), so the EPP's own SDK
 * environment is set explicitly in its container, as the seed guide's example Deployment does.
 */
export function eppPodAnnotations(o: {
  instrumentation: string;
  targetExe: string | undefined;
}): Record<string, string> {
  return {
    [INJECT_GO]: o.instrumentation,
    ...(o.targetExe ? { [GO_TARGET_EXE]: o.targetExe } : {}),
    [CONTAINER_NAMES]: EPP_CONTAINER,
  };
}

/**
 * A Pod to ask the API server about, not to run: `written` (the EPP pod, or the Deployment's pod template, as the
 * user wrote it) under a name of its own, with `annotations` changed (null removes one). Sent as a server-side
 * dry-run create, it goes through the operator's pod webhook (sideEffects: None) and is never stored: what came
 * back is what the operator would have made of such a pod, without a second EPP or topology.
 */
export function admissionProbePod(
  written: { metadata?: { [k: string]: unknown }; spec?: unknown },
  namespace: string,
  annotations: Record<string, string | null>,
): KubeObject {
  const meta = (written.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  const changed: Record<string, string> = { ...(meta.annotations ?? {}) };
  for (const [key, value] of Object.entries(annotations)) {
    if (value === null) delete changed[key];
    else changed[key] = value;
  }
  if (!written.spec) throw new Error('the EPP pod as written has no spec to ask the API server about');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${EPP_WORKLOAD}-admission-probe`,
      namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: changed,
    },
    spec: JSON.parse(JSON.stringify(written.spec)) as unknown,
  };
}

export interface LocalInstrumentationEndpoints {
  /** Jaeger's OTLP/gRPC receiver: what the GIE EPP's exporter speaks. */
  otlpGrpc: string;
  /** Jaeger's OTLP/HTTP receiver: what Go auto-instrumentation speaks by default. */
  otlpHttp: string;
}

/**
 * Our Instrumentation for the local topology: the kind template (fixtures/manifests/instrumentation.yaml) and
 * values, with Jaeger's local OTLP/HTTP port as the exporter endpoint (Go auto-instrumentation's protocol).
 */
export function renderLocalInstrumentation(
  opts: RunOptions,
  o: { namespace: string; name: string } & LocalInstrumentationEndpoints,
): KubeObject {
  const [inst] = renderTemplate('instrumentation.yaml', {
    namespace: o.namespace,
    instrumentationName: o.name,
    instrumentationEndpoint: o.otlpHttp,
    propagators: ['tracecontext', 'baggage'],
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
    goInstrumentation: {},
  });
  return inst;
}

/**
 * The EPP container's tracing env as a user writes it into the pod spec: the same OTEL_* as the kind
 * Deployment (eppEnv: exporter otlp over gRPC, sampler, service name, our resource attributes), plus the pod's
 * identity through the downward API in the form the operator gives its sidecar (k8s.pod.name,
 * k8s.namespace.name, k8s.container.name, service.instance.id = <namespace>.<pod>.<container>), so the EPP's
 * spans and the agent's describe the same pod the same way.
 */
export function eppContainerEnv(opts: RunOptions, otlpGrpc: string): EnvVar[] {
  const base = eppEnv(undefined, {
    otlpEndpoint: otlpGrpc,
    serviceName: opts.eppServiceName,
    sampler: opts.eppSampler,
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
  });
  const identity =
    `k8s.container.name=${EPP_CONTAINER},k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME),` +
    `service.instance.id=$(POD_NAMESPACE).$(POD_NAME).${EPP_CONTAINER}`;
  const ours = base.OTEL_RESOURCE_ATTRIBUTES;
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ...Object.entries({ ...base, OTEL_RESOURCE_ATTRIBUTES: ours ? `${identity},${ours}` : identity }).map(
      ([name, value]) => ({ name, value }),
    ),
  ];
}

/**
 * The EPP as a Pod object in the local API server, as a user would write it (image, args, tracing env, the seed
 * guide's annotations). What its processes run with is this pod after the operator's mutation.
 */
export function renderEppPod(o: {
  namespace: string;
  epp: EppPin;
  args: string[];
  env: EnvVar[];
  instrumentation: string;
  goTargetExe: boolean;
  ports: { grpc: number; health: number; metrics: number };
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: EPP_WORKLOAD,
      namespace: o.namespace,
      labels: { app: 'epp', 'app.kubernetes.io/part-of': 'epp-otel-e2e' },
      annotations: eppPodAnnotations({
        instrumentation: o.instrumentation,
        targetExe: o.goTargetExe ? o.epp.imageBinary : undefined,
      }),
    },
    spec: {
      containers: [
        {
          name: EPP_CONTAINER,
          image: o.epp.image,
          args: o.args,
          env: o.env,
          ports: [
            { name: 'grpc', containerPort: o.ports.grpc },
            { name: 'grpc-health', containerPort: o.ports.health },
            { name: 'metrics', containerPort: o.ports.metrics },
          ],
          readinessProbe: { grpc: { port: o.ports.health, service: EXT_PROC_SERVICE }, periodSeconds: 2 },
        },
      ],
    },
  };
}

/**
 * A real user mistake, named rather than hidden: the EPP environment the operator produced cannot export to
 * Jaeger. The GIE EPP exports only with OTEL_TRACES_EXPORTER=otlp, over OTLP/gRPC; the operator's Go default
 * (and the seed guide's) is the OTLP/HTTP port. Returns one sentence per problem.
 */
export function eppExporterProblems(env: Record<string, string>, jaeger: LocalInstrumentationEndpoints): string[] {
  const problems: string[] = [];
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== 'otlp') {
    problems.push(
      `the EPP container has OTEL_TRACES_EXPORTER=${exporter ?? '(unset)'}: the GIE EPP exports spans only with ` +
        'OTEL_TRACES_EXPORTER=otlp',
    );
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === jaeger.otlpHttp || (endpoint && /:4318\/?$/.test(endpoint))) {
    problems.push(
      `the EPP container exports to ${endpoint}, an OTLP/HTTP endpoint, but the GIE EPP's exporter speaks ` +
        `OTLP/gRPC (${jaeger.otlpGrpc}): its spans would be refused. Point the EPP container at the gRPC port ` +
        '(the Instrumentation endpoint is for the Go agent, which speaks OTLP/HTTP)',
    );
  } else if (!endpoint) {
    problems.push('the EPP container has no OTEL_EXPORTER_OTLP_ENDPOINT: its exporter would try localhost:4317');
  }
  return problems;
}

/** Our Instrumentation in a local run (the operator's readiness probe dry-runs it; the EPP's Pod names it). */
export function localInstrumentation(run: Run): KubeObject {
  return renderLocalInstrumentation(run.opts, {
    namespace: run.namespace,
    name: INSTRUMENTATION_NAME,
    ...jaegerOtlp(run),
  });
}

/**
 * The EPP through the operator, as a kubelet would run the mutated pod: the EPP process gets the `epp`
 * container's env (fieldRef and $(VAR) resolved; the pod spec's, see eppContainerEnv), the agent (its own
 * declaration) gets the sidecar's (the operator's injection). The harness adds only KUBECONFIG, standing in for the
 * pod's service account. Runs once the operator is ready: its webhook sees the Instrumentation, then the Pod.
 */
export async function eppThroughOperator(run: LocalRun, kube: KubeClient, kubeconfig: string): Promise<EppConfig> {
  const tools = run.tools.operatorMode;
  if (!tools) throw new Error('operator mode without the operator tools');
  const otlp = jaegerOtlp(run);
  const ports = portsOf(run, epp);
  await kube.apply(localInstrumentation(run));
  const written = renderEppPod({
    namespace: run.namespace,
    epp: eppPinOf(run),
    args: eppArgs(ports, run.namespace),
    env: eppContainerEnv(run.opts, otlp.otlpGrpc),
    instrumentation: INSTRUMENTATION_NAME,
    goTargetExe: run.opts.kind.goTargetExe,
    ports,
  });
  const pod = await kube.apply(written);
  const mutated = join(run.runDir, 'epp-pod.mutated.json');
  writeFileSync(mutated, JSON.stringify(pod, null, 2));
  const env = resolveContainerEnv(pod, EPP_CONTAINER, LOCAL_POD_RUNTIME);
  const problems = eppExporterProblems(env, otlp);
  if (problems.length) {
    throw new Error(
      `the operator's environment for the EPP cannot export its spans:\n- ${problems.join('\n- ')}\n` +
        `(mutated pod: ${mutated})`,
    );
  }
  const container = podContainers(pod).find((c) => c.name === EPP_CONTAINER)!;
  const hasSidecar = podContainers(pod).some((c) => c.name === GO_SIDECAR);
  // Where the agent will analyse it, the EPP runs from its copy with uncompressed DWARF: the same program, its
  // offset analysis ~10x faster (agentTargetBinary says why and how it is the same).
  const binary = hasSidecar && tools.agent ? await agentTargetBinary(run.tools.epp, run.progress) : run.tools.epp;
  const sidecarEnv = hasSidecar ? resolveContainerEnv(pod, GO_SIDECAR, LOCAL_POD_RUNTIME) : undefined;
  const noAgentReason = !hasSidecar
    ? `the operator injected no ${GO_SIDECAR} container`
    : !tools.agent
      ? `this machine cannot run the eBPF agent: ${tools.ebpf.reasons.join('; ')}`
      : undefined;
  return {
    container: { args: container.args, env },
    kubeconfig,
    binary,
    operator: { pod, written, eppEnv: env, sidecarEnv, binary, ...(noAgentReason ? { noAgentReason } : {}) },
  };
}
