import { faultsOf } from '../../faults/catalog';
import type { RunOptions } from '../../config/run-options';
import { manifestOf, type ComponentDeclaration } from '../../components/declaration';
import { epp as eppDecl, renderInferencePool } from '../../components/epp';
import { envoy } from '../../components/envoy';
import { jaeger } from '../../components/jaeger';
import type { KubeObject } from '../../components/kube-client';
import { mockVllm } from '../../components/mock-vllm';
import { resolveEppVersion, selectPins, type Versions } from '../../tools/versions';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../service-names';
import { renderTemplate } from '../../components/templates';
import { eppPodAnnotations } from '../../components/operator-epp-pod';

export const KIND_NAMESPACE = 'epp-e2e';
export const INSTRUMENTATION_NAME = 'epp-go';
export const MODEL_SERVER_APP = 'mock-vllm';
export const EPP_SERVICE = 'epp';

const EPP_PORTS = manifestOf(eppDecl).ports;
const JAEGER_PORTS = manifestOf(jaeger).ports;
const ENVOY_PORTS = manifestOf(envoy).ports;

/** The in-pod ports the components declare (the local topology picks free ones instead), by one name each. */
export const KIND_PORTS = {
  eppGrpc: EPP_PORTS.grpc,
  eppHealth: EPP_PORTS.health,
  eppMetrics: EPP_PORTS.metrics,
  model: manifestOf(mockVllm).ports.http,
  gateway: ENVOY_PORTS.gateway,
  envoyAdmin: ENVOY_PORTS.admin,
  jaegerOtlpGrpc: JAEGER_PORTS.otlpGrpc,
  jaegerOtlpHttp: JAEGER_PORTS.otlpHttp,
  jaegerQuery: JAEGER_PORTS.query,
  jaegerQueryGrpc: JAEGER_PORTS.queryGrpc,
  jaegerHealth: JAEGER_PORTS.health,
} as const;

/** One step of the install: what to apply, then which of its objects must become ready before the next. */
export interface ManifestStep {
  name: string;
  objects: KubeObject[];
  /** Deployments (by name) that must be Available before the next step. */
  waitForDeployments: string[];
}

function svc(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/**
 * Every object of the kind topology, in install order, from the run options: the same EPP flags, EPP OTEL
 * environment, Envoy bootstrap and Jaeger config as the local topology (one code path), with in-cluster
 * addresses. The Instrumentation CR goes in before the EPP so the operator's webhook sees it at pod creation.
 */
/** A component's ports as its template names them: `{{ grpcPort }}` for its port `grpc`. */
function portValues(ports: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name}Port`, port]));
}

/** A component's install step: its template, filled with the run's values and those its declaration gives. */
function componentStep<C, P extends string, Out>(
  decl: ComponentDeclaration<C, P, Out>,
  config: C,
  values: Record<string, unknown>,
): ManifestStep {
  const m = manifestOf(decl);
  return {
    name: decl.name,
    objects: renderTemplate(m.template, { ...values, ...portValues(m.ports), ...m.values(config, m.ports) }),
    waitForDeployments: m.waitForDeployments,
  };
}

/**
 * Every object of the kind topology, in install order, from the run options: the components' own args, env,
 * config files and ports from their declarations (the ones the local topology launches), with in-cluster
 * addresses. The Instrumentation CR goes in before the EPP so the operator's webhook sees it at pod creation.
 */
export function renderKindManifests(opts: RunOptions, pins: Versions, namespace = KIND_NAMESPACE): ManifestStep[] {
  const versions = selectPins(pins, opts);
  const epp = resolveEppVersion(versions, opts.eppVersion, opts.topology).pin;
  const jaegerHost = svc('jaeger', namespace);
  const values: Record<string, unknown> = {
    namespace,
    instrumentationName: INSTRUMENTATION_NAME,
    instrumentationEndpoint: `http://${jaegerHost}:${KIND_PORTS.jaegerOtlpHttp}`,
    propagators: ['tracecontext', 'baggage'],
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
    goInstrumentation: {},
    jaegerImage: versions.jaeger.image,
    modelServerApp: MODEL_SERVER_APP,
    models: opts.models,
    mockVllmImage: versions.kind.mockVllmImage,
    eppService: EPP_SERVICE,
    eppImage: epp.image,
    eppPodAnnotations: eppPodAnnotations({
      instrumentation: INSTRUMENTATION_NAME,
      targetExe: opts.kind.goTargetExe ? epp.imageBinary : undefined,
    }),
    envoyImage: versions.envoy.image,
  };
  const otlpGrpc = `http://${jaegerHost}:${KIND_PORTS.jaegerOtlpGrpc}`;
  return [
    { name: 'namespace', objects: renderTemplate('namespace.yaml', values), waitForDeployments: [] },
    componentStep(jaeger, { listenAddress: '0.0.0.0' }, values),
    { name: 'instrumentation', objects: renderTemplate('instrumentation.yaml', values), waitForDeployments: [] },
    componentStep(
      mockVllm,
      {
        // The kubelet expands $(POD_NAME) from the pod's env: each pod reports its own name.
        name: '$(POD_NAME)',
        host: '0.0.0.0',
        model: opts.modelName,
        otlpEndpoint: otlpGrpc,
        serviceName: MOCK_VLLM_SERVICE,
        faults: faultsOf(opts.faults, 'mock-vllm'),
      },
      values,
    ),
    {
      name: 'inference-pool',
      objects: [
        renderInferencePool({
          namespace,
          targetPorts: [KIND_PORTS.model],
          eppPort: KIND_PORTS.eppGrpc,
          modelServerApp: MODEL_SERVER_APP,
          eppService: EPP_SERVICE,
        }),
      ],
      waitForDeployments: [],
    },
    componentStep(
      eppDecl,
      {
        poolNamespace: namespace,
        tracing: {
          otlpEndpoint: opts.eppOtlpEndpoint ?? otlpGrpc,
          serviceName: opts.eppServiceName,
          sampler: opts.eppSampler,
          samplerArg: opts.eppSamplerArg,
          resourceAttributes: opts.eppResourceAttributes,
          faults: faultsOf(opts.faults, 'epp'),
        },
      },
      values,
    ),
    componentStep(
      envoy,
      {
        eppGrpcPort: KIND_PORTS.eppGrpc,
        otlpGrpcPort: KIND_PORTS.jaegerOtlpGrpc,
        serviceName: ENVOY_SERVICE,
        samplingPercent: 100,
        listenAddress: '0.0.0.0',
        eppHost: svc(EPP_SERVICE, namespace),
        otlpHost: jaegerHost,
        faults: faultsOf(opts.faults, 'envoy'),
      },
      values,
    ),
  ];
}
