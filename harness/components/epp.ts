import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { grpcHealthProbe, httpProbe } from '../runtime/readiness';
import { binaryCommand, type ComponentDeclaration } from './declaration';
import { renderTemplate } from './templates';
import type { KubeClient, KubeObject } from './kube-client';
import type { FaultDefinition } from '../faults/types';

export const POOL_NAME = 'e2e-pool';
export const POOL_NAMESPACE = 'default';
export const MODEL_SERVER_POD = 'mock-vllm';
export const EXT_PROC_SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';

/**
 * The model servers as the EPP sees them: one Pod per model server, all on one target port, as on kind. Locally
 * each mock vLLM listens on a loopback address of its own (127.0.0.2, 127.0.0.3, ...; Linux routes all of
 * 127/8 to lo), which is its Pod IP: an EPP that keys endpoints by IP alone (the KV-events EPP) tells them
 * apart, and which mock answered shows which endpoint was picked. One template for both topologies
 * (fixtures/manifests/inference-pool.yaml).
 */
export function renderInferencePool(opts: {
  namespace: string;
  targetPorts: number[];
  eppPort: number;
  modelServerApp: string;
  eppService?: string;
}): KubeObject {
  if (opts.targetPorts.length < 1 || opts.targetPorts.length > 8) {
    throw new Error(`an InferencePool takes 1 to 8 target ports, got ${opts.targetPorts.length}`);
  }
  const [pool] = renderTemplate('inference-pool.yaml', {
    namespace: opts.namespace,
    poolName: POOL_NAME,
    modelServerApp: opts.modelServerApp,
    targetPorts: opts.targetPorts.map((number) => ({ number })),
    eppService: opts.eppService ?? 'epp',
    eppPort: opts.eppPort,
  });
  return pool;
}

/** The loopback address of the i-th local model server (127.0.0.1 is left to everything else). */
export function modelServerIp(i: number): string {
  if (i < 0 || i > 252) throw new Error(`no loopback address for model server ${i}`);
  return `127.0.0.${i + 2}`;
}

/** One Pod object per model server, with its IP and a Ready status (there is no kubelet to report them). */
/** `labels`: extra Pod labels of a server (an llm-d P/D run's llm-d.ai/role: prefill or decode). */
export function renderModelServerPods(
  servers: { name: string; ip: string; labels?: Record<string, string> }[],
  port: number,
): { pod: KubeObject; status: KubeObject }[] {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return servers.map(({ name, ip, labels }) => {
    const meta = { name, namespace: POOL_NAMESPACE };
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...meta, labels: { app: MODEL_SERVER_POD, ...labels } },
      spec: {
        containers: [{ name: 'vllm', image: 'epp-otel-e2e/mock-vllm:local', ports: [{ containerPort: port }] }],
      },
    };
    const status: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta,
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        ],
      },
    };
    return { pod, status };
  });
}

/** The InferencePool & co. CRDs shipped in the EPP's own module, at the EPP's own version (both topologies). */
export function readEppCrds(eppModuleDir: string): KubeObject[] {
  const dir = join(eppModuleDir, 'config', 'crd', 'bases');
  const crds: KubeObject[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as KubeObject | null;
      if (crd?.kind === 'CustomResourceDefinition') crds.push(crd);
    }
  }
  return crds;
}

export async function installEppCrds(kube: KubeClient, eppModuleDir: string): Promise<string[]> {
  const crds = readEppCrds(eppModuleDir);
  for (const crd of crds) await kube.apply(crd);
  for (const crd of crds) await kube.waitForCrdEstablished(crd.metadata.name);
  return crds.map((c) => c.metadata.name);
}

export interface EppPorts {
  grpc: number;
  health: number;
  metrics: number;
}

/** The EPP's batch span processor delay (OTEL_BSP_SCHEDULE_DELAY): what the flush horizon counts on. */
export const EPP_BSP_SCHEDULE_DELAY_MS = 100;

/** Where `wrong-exporter` sends the EPP's spans: loopback port 1, where nothing listens (refused at once). */
export const DEAD_OTLP_ENDPOINT = 'http://127.0.0.1:1';

/**
 * The EPP's fault switches: made in the environment we give the real binary, never in the binary. Owners as in
 * harness/mock-vllm/faults.ts.
 */
export const EPP_FAULTS = {
  'wrong-exporter': {
    description: `OTEL_EXPORTER_OTLP_ENDPOINT points where nothing listens (${DEAD_OTLP_ENDPOINT})`,
    owners: [
      {
        scenario: 'smoke',
        says: /^trace incomplete: service llm-d-epp \(epp\) exported nothing since \S+[\s\S]*waited for: exactly one new EPP trace/,
      },
    ],
  },
} satisfies Record<string, FaultDefinition>;

export type EppFault = keyof typeof EPP_FAULTS;

export interface EppTracing {
  otlpEndpoint: string;
  serviceName: string;
  sampler: string;
  samplerArg: string;
  resourceAttributes: Record<string, string>;
  /** Fault switches (EPP_FAULTS) to apply. */
  faults?: readonly string[];
}

export function eppArgs(ports: EppPorts, poolNamespace = POOL_NAMESPACE): string[] {
  return [
    `--pool-name=${POOL_NAME}`,
    `--pool-namespace=${poolNamespace}`,
    `--grpc-port=${ports.grpc}`,
    `--grpc-health-port=${ports.health}`,
    `--metrics-port=${ports.metrics}`,
    // Plaintext ext_proc: Envoy and the drivers talk to it on loopback.
    '--secure-serving=false',
    // Metrics auth would send TokenReviews to an API server that has no authenticator for them.
    '--metrics-endpoint-auth=false',
    '--tracing=true',
    '--enable-pprof=false',
    '--v=2',
  ];
}

/** OTEL_* as the EPP reads them (it only knows parentbased_traceidratio and falls back to 10% otherwise). */
export function eppEnv(kubeconfig: string | undefined, tracing: EppTracing): Record<string, string> {
  const attrs = Object.entries(tracing.resourceAttributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    // In a pod the EPP uses its service account instead.
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: (tracing.faults ?? []).includes('wrong-exporter')
      ? DEAD_OTLP_ENDPOINT
      : tracing.otlpEndpoint,
    OTEL_EXPORTER_OTLP_INSECURE: 'true',
    OTEL_SERVICE_NAME: tracing.serviceName,
    OTEL_TRACES_SAMPLER: tracing.sampler,
    OTEL_TRACES_SAMPLER_ARG: tracing.samplerArg,
    ...(attrs ? { OTEL_RESOURCE_ATTRIBUTES: attrs } : {}),
    // The batch span processor's default 5 s delay would make every scenario wait 5 s for the EPP's spans.
    OTEL_BSP_SCHEDULE_DELAY: String(EPP_BSP_SCHEDULE_DELAY_MS),
  };
}

/** What the KV-events EPP's precise-prefix-cache scorer needs to index vLLM's KV events. */
export interface KvEventsScoring {
  /** The ZeroMQ endpoint its SUB socket binds. */
  zmqEndpoint: string;
  model: string;
  /** A HuggingFace tokenizer.json for `model` (no download: the scorer tokenizes prompts itself). */
  tokenizerFile: string;
  blockSize: number;
  /** vLLM's PYTHONHASHSEED, the root of the block-hash chain. */
  hashSeed: string;
}

/**
 * The KV-events EPP's plugin configuration (llm-d-inference-scheduler v0.4.0): one profile that scores only
 * by precise prefix-cache hits, with the index's Prometheus counters on (admissions, evictions, lookup hits:
 * the only place this EPP, which emits no spans, says what it indexed and found).
 */
export function renderKvEventsEppConfig(s: KvEventsScoring): string {
  return stringify({
    apiVersion: 'inference.networking.x-k8s.io/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins: [
      { type: 'single-profile-handler' },
      {
        type: 'precise-prefix-cache-scorer',
        parameters: {
          kvEventsConfig: { zmqEndpoint: s.zmqEndpoint, topicFilter: 'kv@' },
          indexerConfig: {
            tokenProcessorConfig: { blockSize: s.blockSize, hashSeed: s.hashSeed },
            kvBlockIndexConfig: { enableMetrics: true },
            tokenizersPoolConfig: { local: { modelTokenizerMap: { [s.model]: s.tokenizerFile } } },
          },
        },
      },
      { type: 'max-score-picker' },
    ],
    schedulingProfiles: [
      {
        name: 'default',
        plugins: [{ pluginRef: 'precise-prefix-cache-scorer', weight: 1 }, { pluginRef: 'max-score-picker' }],
      },
    ],
  });
}

/**
 * How the EPP is run: from the run options (its flags from eppArgs, its OTEL_* from eppEnv), or as the
 * container of a pod that the operator mutated (that container's args and resolved env, as a kubelet runs it).
 */
export type EppConfig =
  | {
      tracing: EppTracing;
      /** Locally: the API server it discovers endpoints through (a pod uses its service account instead). */
      kubeconfig?: string;
      poolNamespace?: string;
      /** More flags after eppArgs (a plugin config file). */
      extraArgs?: string[];
      extraEnv?: Record<string, string>;
    }
  | {
      /** A container without args runs the EPP's default flags (eppArgs). */
      container: { args?: string[]; env: Record<string, string> };
      kubeconfig: string;
    };

function eppCommandLine(c: EppConfig, ports: EppPorts): string[] {
  if ('container' in c) return c.container.args ?? eppArgs(ports);
  return [...eppArgs(ports, c.poolNamespace), ...(c.extraArgs ?? [])];
}

function eppEnvironment(c: EppConfig): Record<string, string> {
  return 'container' in c
    ? { ...c.container.env, KUBECONFIG: c.kubeconfig }
    : { ...eppEnv(c.kubeconfig, c.tracing), ...c.extraEnv };
}

export const epp: ComponentDeclaration<EppConfig, keyof EppPorts> = {
  name: 'epp',
  ports: ['grpc', 'health', 'metrics'],
  command: binaryCommand('epp'),
  args: eppCommandLine,
  env: eppEnvironment,
  readiness: (_, { ports }) => [
    // SERVING on the ext_proc service name means the EPP has synced the pool and its plugins are ready.
    {
      what: `EPP gRPC health (${EXT_PROC_SERVICE})`,
      probe: grpcHealthProbe(`127.0.0.1:${ports.health}`, EXT_PROC_SERVICE),
      timeoutMs: 60000,
    },
    {
      what: 'EPP metrics endpoint',
      probe: httpProbe(`http://127.0.0.1:${ports.metrics}/metrics`),
      timeoutMs: 15000,
    },
  ],
  manifest: {
    template: 'epp.yaml',
    ports: { grpc: 9002, health: 9003, metrics: 9090 },
    waitForDeployments: ['epp'],
    values: (c, ports) => ({
      eppArgs: eppCommandLine(c, ports),
      eppEnv: Object.entries(eppEnvironment(c)).map(([name, value]) => ({ name, value })),
      eppHealthService: EXT_PROC_SERVICE,
    }),
  },
};
