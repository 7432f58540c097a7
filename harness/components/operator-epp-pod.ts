import type { RunOptions } from '../config/run-options';
import type { EppPin } from '../tools/versions';
import { EXT_PROC_SERVICE } from './epp';
import type { KubeObject } from './kube-client';
import { CONTAINER_NAMES, GO_TARGET_EXE, INJECT_GO, INJECT_SDK } from './operator';
import { renderTemplate } from './templates';

/** The name of the operator's Go sidecar container (sdk.go sideCarName). */
export const GO_SIDECAR = 'opentelemetry-auto-instrumentation';
export const EPP_CONTAINER = 'epp';
/** The operator names the service after the workload: the Deployment on kind, the Pod locally. Both are "epp". */
export const EPP_WORKLOAD = 'epp';

/**
 * The seed guide's annotations, one definition for both topologies: Go injection from our Instrumentation,
 * aimed at the binary of the `epp` container (without a target the operator injects nothing: the negative
 * control). Locally the EPP container also asks for `inject-sdk`: the operator (without
 * --enable-multi-instrumentation) applies every requested injection to the containers of `container-names`,
 * so one pod gets both, and the EPP's own SDK environment comes from the operator rather than the harness.
 */
export function eppPodAnnotations(o: {
  instrumentation: string;
  targetExe: string | undefined;
  injectSdk: boolean;
}): Record<string, string> {
  return {
    [INJECT_GO]: o.instrumentation,
    ...(o.targetExe ? { [GO_TARGET_EXE]: o.targetExe } : {}),
    ...(o.injectSdk ? { [INJECT_SDK]: o.instrumentation } : {}),
    [CONTAINER_NAMES]: EPP_CONTAINER,
  };
}

export interface LocalInstrumentationEndpoints {
  /** Jaeger's OTLP/gRPC receiver: what the GIE EPP's exporter speaks. */
  otlpGrpc: string;
  /** Jaeger's OTLP/HTTP receiver: what Go auto-instrumentation speaks by default. */
  otlpHttp: string;
}

/**
 * Our Instrumentation for the local topology, from the kind template (fixtures/manifests/instrumentation.yaml)
 * and the run options: exporter, propagators, sampler and resource attributes. What differs from kind and why:
 * - spec.exporter.endpoint is Jaeger's OTLP/gRPC port, because inject-sdk hands it to the EPP, whose exporter
 *   speaks gRPC; spec.go.env points the eBPF agent at the OTLP/HTTP port (language env beats the exporter).
 * - spec.env: OTEL_TRACES_EXPORTER=otlp (the GIE EPP exports nothing without it), and a 100 ms batch delay
 *   (the SDK default of 5 s would make every scenario wait 5 s for spans).
 */
export function renderLocalInstrumentation(
  opts: RunOptions,
  o: { namespace: string; name: string } & LocalInstrumentationEndpoints,
): KubeObject {
  const [inst] = renderTemplate('instrumentation.yaml', {
    namespace: o.namespace,
    instrumentationName: o.name,
    instrumentationEndpoint: o.otlpGrpc,
    instrumentationEnv: [
      { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
      { name: 'OTEL_BSP_SCHEDULE_DELAY', value: '100' },
    ],
    propagators: ['tracecontext', 'baggage'],
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
    goInstrumentation: { env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: o.otlpHttp }] },
  });
  return inst;
}

/**
 * The EPP as a Pod object in the local API server, as a user would write it (image, args, the seed guide's
 * annotations), with no OTEL_* of its own: what its processes run with comes from the operator's mutation.
 */
export function renderEppPod(o: {
  namespace: string;
  epp: EppPin;
  args: string[];
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
        injectSdk: true,
      }),
    },
    spec: {
      containers: [
        {
          name: EPP_CONTAINER,
          image: o.epp.image,
          args: o.args,
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
        'OTEL_TRACES_EXPORTER=otlp (set it in the Instrumentation spec.env)',
    );
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === jaeger.otlpHttp || (endpoint && /:4318\/?$/.test(endpoint))) {
    problems.push(
      `the EPP container exports to ${endpoint}, an OTLP/HTTP endpoint, but the GIE EPP's exporter speaks ` +
        `OTLP/gRPC (${jaeger.otlpGrpc}): its spans would be refused. Set spec.exporter.endpoint to the gRPC port ` +
        'and give Go its HTTP endpoint in spec.go.env',
    );
  } else if (!endpoint) {
    problems.push('the EPP container has no OTEL_EXPORTER_OTLP_ENDPOINT (spec.exporter.endpoint is empty)');
  }
  return problems;
}
