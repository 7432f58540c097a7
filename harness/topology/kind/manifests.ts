import { faultsOf } from '../../faults/catalog';
import type { RunOptions } from '../../config/run-options';
import { EXT_PROC_SERVICE, eppArgs, eppEnv, renderInferencePool } from '../../components/epp';
import { renderEnvoyBootstrap } from '../../components/envoy';
import { renderJaegerConfig } from '../../components/jaeger';
import type { KubeObject } from '../../components/kube-client';
import { mockVllmServerArgs } from '../../components/mock-vllm';
import { resolveEppVersion, selectPins, type Versions } from '../../tools/versions';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../service-names';
import { renderTemplate } from '../../components/templates';
import { eppPodAnnotations } from '../../components/operator-epp-pod';

export const KIND_NAMESPACE = 'epp-e2e';
export const INSTRUMENTATION_NAME = 'epp-go';
export const MODEL_SERVER_APP = 'mock-vllm';
export const EPP_SERVICE = 'epp';

/** Fixed in-cluster ports (the local topology picks free ones; a pod has its own network namespace). */
export const KIND_PORTS = {
  eppGrpc: 9002,
  eppHealth: 9003,
  eppMetrics: 9090,
  model: 8000,
  gateway: 8081,
  envoyAdmin: 19000,
  jaegerOtlpGrpc: 4317,
  jaegerOtlpHttp: 4318,
  jaegerQuery: 16686,
  jaegerQueryGrpc: 16685,
  jaegerHealth: 13133,
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
export function renderKindManifests(opts: RunOptions, pins: Versions, namespace = KIND_NAMESPACE): ManifestStep[] {
  const versions = selectPins(pins, opts);
  const epp = resolveEppVersion(versions, opts.eppVersion, opts.topology).pin;
  const jaegerHost = svc('jaeger', namespace);
  const mockFaults = faultsOf(opts.faults, 'mock-vllm');
  const ratio = opts.eppSamplerArg;
  const values: Record<string, unknown> = {
    namespace,
    instrumentationName: INSTRUMENTATION_NAME,
    instrumentationEndpoint: `http://${jaegerHost}:${KIND_PORTS.jaegerOtlpHttp}`,
    propagators: ['tracecontext', 'baggage'],
    samplerArg: ratio,
    resourceAttributes: opts.eppResourceAttributes,
    goInstrumentation: {},
    jaegerImage: versions.jaeger.image,
    jaegerConfig: renderJaegerConfig(
      {
        otlpGrpc: KIND_PORTS.jaegerOtlpGrpc,
        otlpHttp: KIND_PORTS.jaegerOtlpHttp,
        query: KIND_PORTS.jaegerQuery,
        queryGrpc: KIND_PORTS.jaegerQueryGrpc,
        health: KIND_PORTS.jaegerHealth,
      },
      '0.0.0.0',
    ),
    modelServerApp: MODEL_SERVER_APP,
    models: opts.models,
    mockVllmImage: versions.kind.mockVllmImage,
    mockVllmArgs: mockVllmServerArgs(
      {
        // The kubelet expands $(POD_NAME) from the pod's env: each pod reports its own name.
        name: '$(POD_NAME)',
        port: KIND_PORTS.model,
        model: opts.modelName,
        otlpEndpoint: `http://${jaegerHost}:${KIND_PORTS.jaegerOtlpGrpc}`,
        serviceName: MOCK_VLLM_SERVICE,
        faults: mockFaults,
      },
      '0.0.0.0',
    ),
    eppService: EPP_SERVICE,
    eppImage: epp.image,
    eppPodAnnotations: eppPodAnnotations({
      instrumentation: INSTRUMENTATION_NAME,
      targetExe: opts.kind.goTargetExe ? epp.imageBinary : undefined,
    }),
    eppHealthService: EXT_PROC_SERVICE,
    eppArgs: eppArgs(
      { grpc: KIND_PORTS.eppGrpc, health: KIND_PORTS.eppHealth, metrics: KIND_PORTS.eppMetrics },
      namespace,
    ),
    eppEnv: Object.entries(
      eppEnv(undefined, {
        otlpEndpoint: opts.eppOtlpEndpoint ?? `http://${jaegerHost}:${KIND_PORTS.jaegerOtlpGrpc}`,
        serviceName: opts.eppServiceName,
        sampler: opts.eppSampler,
        samplerArg: opts.eppSamplerArg,
        resourceAttributes: opts.eppResourceAttributes,
        faults: faultsOf(opts.faults, 'epp'),
      }),
    ).map(([name, value]) => ({ name, value })),
    envoyImage: versions.envoy.image,
    gatewayPort: KIND_PORTS.gateway,
    envoyAdminPort: KIND_PORTS.envoyAdmin,
    envoyBootstrap: renderEnvoyBootstrap({
      adminPort: KIND_PORTS.envoyAdmin,
      gatewayPort: KIND_PORTS.gateway,
      eppGrpcPort: KIND_PORTS.eppGrpc,
      otlpGrpcPort: KIND_PORTS.jaegerOtlpGrpc,
      serviceName: ENVOY_SERVICE,
      samplingPercent: 100,
      listenAddress: '0.0.0.0',
      eppHost: svc(EPP_SERVICE, namespace),
      otlpHost: jaegerHost,
      faults: faultsOf(opts.faults, 'envoy'),
    }),
  };
  return [
    { name: 'namespace', objects: renderTemplate('namespace.yaml', values), waitForDeployments: [] },
    { name: 'jaeger', objects: renderTemplate('jaeger.yaml', values), waitForDeployments: ['jaeger'] },
    { name: 'instrumentation', objects: renderTemplate('instrumentation.yaml', values), waitForDeployments: [] },
    { name: 'mock-vllm', objects: renderTemplate('mock-vllm.yaml', values), waitForDeployments: ['mock-vllm'] },
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
    { name: 'epp', objects: renderTemplate('epp.yaml', values), waitForDeployments: ['epp'] },
    { name: 'envoy', objects: renderTemplate('envoy.yaml', values), waitForDeployments: ['envoy'] },
  ];
}
