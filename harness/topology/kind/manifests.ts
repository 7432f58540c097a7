import type { RunOptions } from '../../config/run-options';
import { manifestOf, type AnyComponent, type KindRun } from '../../components/declaration';
import { epp as eppDecl, MODEL_SERVER_POD, renderInferencePool } from '../../components/epp';
import { envoy } from '../../components/envoy';
import { jaeger, jaegerOtlp } from '../../components/jaeger';
import type { KubeObject } from '../../components/kube-client';
import { mockVllm } from '../../components/mock-vllm';
import { INSTRUMENTATION_NAME } from '../../components/operator-epp-pod';
import { COMPONENTS } from '../../components/registry';
import { renderTemplate } from '../../components/templates';
import { selectPins, type Versions } from '../../tools/versions';

export { INSTRUMENTATION_NAME };
export const KIND_NAMESPACE = 'epp-e2e';
export const MODEL_SERVER_APP = MODEL_SERVER_POD;
/** The EPP's Service: the component's name, as every component's (KindRun.host). */
export const EPP_SERVICE = eppDecl.name;

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

/** A component's ports as its template names them: `{{ grpcPort }}` for its port `grpc`. */
function portValues(ports: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name}Port`, port]));
}

/**
 * A component's install step: its template, filled with the run's values and those its declaration gives for its
 * instance in this run; none when it has no manifest or the run does not have it.
 */
function componentStep(c: AnyComponent, run: KindRun, values: Record<string, unknown>): ManifestStep | undefined {
  if (!c.manifest) return undefined;
  const configs = c.wiring.instances(run, {});
  if (!Array.isArray(configs)) {
    throw new Error(`${c.name}: its instances on kind must be known without running anything (a list, not a promise)`);
  }
  if (configs.length === 0) return undefined;
  // More pods of one component are its template's replicas (the mock vLLMs: one Deployment).
  if (configs.length > 1) throw new Error(`${c.name}: one config on kind, got ${configs.length}`);
  const m = c.manifest;
  return {
    name: c.name,
    objects: renderTemplate(m.template, {
      ...values,
      ...portValues(m.ports),
      ...m.values(configs[0] as never, m.ports, run),
    }),
    waitForDeployments: m.waitForDeployments,
  };
}

/**
 * Every object of the kind topology, in install order, from the run options: the registered components with a
 * manifest that this run has, in registry order, each from its declaration (the same args, env, config files
 * and ports as the local topology launches, with in-cluster addresses), and between them the steps that are no
 * component's: the namespace first, the Instrumentation CR after Jaeger (whose OTLP it names) and so before the
 * EPP (the operator's webhook must see it at pod creation), the InferencePool after the model servers it selects.
 */
export function renderKindManifests(
  opts: RunOptions,
  pins: Versions,
  namespace = KIND_NAMESPACE,
  components: readonly AnyComponent[] = COMPONENTS,
): ManifestStep[] {
  const run: KindRun = {
    topology: 'kind',
    opts,
    pins: selectPins(pins, opts),
    namespace,
    ports: Object.fromEntries(components.flatMap((c) => (c.manifest ? [[c.name, c.manifest.ports]] : []))),
    host: (name) => svc(name, namespace),
    listenAddress: '0.0.0.0',
  };
  const values: Record<string, unknown> = {
    namespace,
    instrumentationName: INSTRUMENTATION_NAME,
    // Jaeger's OTLP/HTTP receiver, as the local Instrumentation names it (one function, both topologies).
    instrumentationEndpoint: jaegerOtlp(run).otlpHttp,
    propagators: ['tracecontext', 'baggage'],
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
    goInstrumentation: {},
  };
  const placed: { after: string; step: ManifestStep }[] = [
    {
      after: jaeger.name,
      step: {
        name: 'instrumentation',
        objects: renderTemplate('instrumentation.yaml', values),
        waitForDeployments: [],
      },
    },
    {
      after: mockVllm.name,
      step: {
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
    },
  ];
  const steps: ManifestStep[] = [
    { name: 'namespace', objects: renderTemplate('namespace.yaml', values), waitForDeployments: [] },
  ];
  for (const c of components) {
    const step = componentStep(c, run, values);
    if (!step) continue;
    steps.push(step, ...placed.filter((p) => p.after === c.name).map((p) => p.step));
  }
  const unplaced = placed.filter((p) => !steps.includes(p.step));
  if (unplaced.length) {
    throw new Error(`no component step to place ${unplaced.map((p) => `${p.step.name} after ${p.after}`).join(', ')}`);
  }
  return steps;
}
