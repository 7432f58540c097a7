import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readYamlDocuments } from '../tools/yaml-documents';
import { CUSTOM_EPP } from '../config/run-options';
import { wordLevelTokenizerJson } from '../drivers/word-tokenizer';
import { faultsOf } from '../faults/types';
import { DEAD_OTLP_ENDPOINT } from './epp-faults';
import { grpcHealthProbe, httpProbe } from '../runtime/readiness';
import { moduleDir } from '../tools/build-go-tool';
import { kvEventsEppKey } from '../tools/tools';
import { resolveEppVersion, type EppPin } from '../tools/versions';
import {
  addressOf,
  binaryCommand,
  outputsOf,
  portsOf,
  type ComponentDeclaration,
  type ConfigFile,
  type LocalRun,
  type Outputs,
  type Run,
} from './declaration';
import { jaegerOtlp } from './jaeger';
import { kubeApiserver } from './kube-apiserver';
import type { KubeClient, KubeObject } from './kube-client';
import { renderKvEventsConfig, renderPdConfig } from './llmd-plugins';
import { mockVllm, modelServers } from './mock-vllm';
import { eppPodAnnotations, eppThroughOperator, INSTRUMENTATION_NAME } from './operator-epp-pod';
import { renderTemplate } from './templates';

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

/**
 * One Pod object per model server, with its IP and a Ready status (there is no kubelet to report them), in the
 * run's namespace. `labels`: extra Pod labels of a server (an llm-d P/D run's llm-d.ai/role: prefill or decode).
 */
export function renderModelServerPods(
  servers: { name: string; ip: string; labels?: Record<string, string> }[],
  port: number,
  namespace = POOL_NAMESPACE,
): { pod: KubeObject; status: KubeObject }[] {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return servers.map(({ name, ip, labels }) => {
    const meta = { name, namespace };
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
    for (const doc of readYamlDocuments(join(dir, file))) {
      const crd = doc as KubeObject | null;
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
  /** The ZeroMQ SUB socket a KV-events subscriber binds (llm-d's kv-events plugins, the KV-events EPP). */
  kvEvents: number;
}

/** The ports of its command line (kvEvents is in its plugin configuration). */
type EppFlagPorts = Pick<EppPorts, 'grpc' | 'health' | 'metrics'>;

/** vLLM's default block size, used by the KV-events EPP's indexer and by whoever publishes to it. */
export const KV_BLOCK_SIZE = 16;
/** vLLM's PYTHONHASHSEED as the KV-events EPP and the mocks both use it: the root of the block-key chain. */
export const KV_HASH_SEED = '';

/** The EPP's batch span processor delay (OTEL_BSP_SCHEDULE_DELAY): what the flush horizon counts on. */
export const EPP_BSP_SCHEDULE_DELAY_MS = 100;

export interface EppTracing {
  otlpEndpoint: string;
  serviceName: string;
  sampler: string;
  samplerArg: string;
  resourceAttributes: Record<string, string>;
  /** Fault switches (EPP_FAULTS) to apply. */
  faults?: readonly string[];
}

export function eppArgs(ports: EppFlagPorts, poolNamespace = POOL_NAMESPACE): string[] {
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
      /** Files it reads, in the run's folder (its plugin configuration, a tokenizer). */
      files?: ConfigFile[];
    }
  | {
      /** A container without args runs the EPP's default flags (eppArgs). */
      container: { args?: string[]; env: Record<string, string> };
      kubeconfig: string;
      /** The file the process runs. */
      binary: string;
      /** What the operator did to its Pod (local operator mode), for the run's report and the agent. */
      operator?: EppThroughOperator;
    };

/** The EPP's Pod through the operator (local operator mode): what the webhook made of it and what runs because. */
export interface EppThroughOperator {
  /** The Pod as the operator's webhook left it. */
  pod: KubeObject;
  /** The Pod as the harness wrote it, before the webhook (what a dry run of a variant starts from). */
  written: KubeObject;
  /** The environment of its `epp` container, resolved as a kubelet would, and of the injected sidecar. */
  eppEnv: Record<string, string>;
  sidecarEnv?: Record<string, string>;
  /** The file the EPP process runs (the agent matches it against /proc/PID/exe). */
  binary: string;
  /** Why no agent runs: nothing injected (negative control), or no eBPF on this machine. */
  noAgentReason?: string;
}

function eppCommandLine(c: EppConfig, ports: EppFlagPorts): string[] {
  if ('container' in c) return c.container.args ?? eppArgs(ports);
  return [...eppArgs(ports, c.poolNamespace), ...(c.extraArgs ?? [])];
}

function eppEnvironment(c: EppConfig): Record<string, string> {
  return 'container' in c
    ? { ...c.container.env, KUBECONFIG: c.kubeconfig }
    : { ...eppEnv(c.kubeconfig, c.tracing), ...c.extraEnv };
}

/** The pin of the run's EPP: the CRDs it reads, its image (kind, operator mode). */
export function eppPinOf(run: Pick<Run, 'topology' | 'opts' | 'pins'>): EppPin {
  const { eppVersion } = run.opts;
  // Locally an EPP binary without a contract (CUSTOM_EPP) still reads the InferencePool: the local default's CRDs.
  if (run.topology === 'kind') return resolveEppVersion(run.pins, eppVersion, 'kind').pin;
  return resolveEppVersion(run.pins, eppVersion === CUSTOM_EPP ? undefined : eppVersion).pin;
}

/** The run's EPP by its versions.yaml name; the KV-events EPP replaces the pinned one when the run asks for it. */
export function eppName(run: Run): string {
  return run.opts.kvEventsEpp ? kvEventsEppKey(run.pins) : run.opts.eppVersion;
}

/** Where KV-event publishers connect, or null when the run's EPP consumes no KV events. */
export function eppKvEventsEndpoint(run: Run): string | null {
  // The GIE EPPs have no KV-event (ZeroMQ) subscriber; the KV-events EPP, and llm-d-router with its kv-events
  // plugins, bind one.
  return run.opts.kvEventsEpp || run.opts.eppPlugins === 'kv-events'
    ? `tcp://${addressOf(run, epp, 'kvEvents')}`
    : null;
}

function eppTracing(run: Run): EppTracing {
  const { opts } = run;
  return {
    otlpEndpoint: opts.eppOtlpEndpoint ?? jaegerOtlp(run).otlpGrpc,
    serviceName: opts.eppServiceName,
    sampler: opts.eppSampler,
    samplerArg: opts.eppSamplerArg,
    resourceAttributes: opts.eppResourceAttributes,
    faults: faultsOf(opts.faults, 'epp'),
  };
}

const PLUGIN_CONFIG = 'epp-config.yaml';
const TOKENIZER = 'tokenizer/tokenizer.json';

/**
 * The local EPP: its CRDs, its InferencePool and the model servers' Pods in the local API server first (there is
 * no kubelet: the mocks are processes, the Pods only say where they are), then its plugin configuration, or the
 * operator's mutated Pod in operator mode.
 */
async function localEpp(run: LocalRun, up: Outputs): Promise<EppConfig[]> {
  const [api] = outputsOf(up, kubeApiserver);
  const crds = await installEppCrds(api.kube, await moduleDir(eppPinOf(run).crds));
  run.progress(`EPP CRDs established in the kube-apiserver: ${crds.join(', ')}`);
  const modelPort = portsOf(run, mockVllm).http;
  await api.kube.apply(
    renderInferencePool({
      namespace: run.namespace,
      targetPorts: [modelPort],
      eppPort: portsOf(run, epp).grpc,
      modelServerApp: MODEL_SERVER_POD,
    }),
  );
  for (const { pod, status } of renderModelServerPods(modelServers(run.opts), modelPort, run.namespace)) {
    await api.kube.apply(pod);
    await api.kube.applyStatus(status);
  }
  if (run.opts.operatorMode) return [await eppThroughOperator(run, api.kube, api.kubeconfig)];

  const kvEvents = eppKvEventsEndpoint(run);
  const kvEpp = run.tools.kvEventsEpp;
  const files: ConfigFile[] = [];
  let pluginConfig: string | undefined;
  if (kvEpp) {
    files.push({ path: TOKENIZER, content: JSON.stringify(wordLevelTokenizerJson()) });
    pluginConfig = renderKvEventsEppConfig({
      zmqEndpoint: kvEvents!,
      model: run.opts.modelName,
      tokenizerFile: join(run.runDir, TOKENIZER),
      blockSize: KV_BLOCK_SIZE,
      hashSeed: KV_HASH_SEED,
    });
  } else if (run.opts.eppPlugins) {
    pluginConfig = run.opts.eppPlugins === 'pd' ? renderPdConfig() : renderKvEventsConfig(kvEvents!, KV_BLOCK_SIZE);
    run.progress(`EPP plugin configuration ${run.opts.eppPlugins}: ${join(run.runDir, PLUGIN_CONFIG)}`);
  }
  if (pluginConfig) files.push({ path: PLUGIN_CONFIG, content: pluginConfig });
  return [
    {
      kubeconfig: api.kubeconfig,
      poolNamespace: run.namespace,
      tracing: eppTracing(run),
      // The KV-events EPP's chat-template module (Python, embedded) is imported at start-up from its source.
      extraEnv: kvEpp ? { PYTHONPATH: kvEpp.pythonPath } : {},
      extraArgs: pluginConfig ? [`--config-file=${join(run.runDir, PLUGIN_CONFIG)}`] : [],
      files,
    },
  ];
}

export const epp: ComponentDeclaration<
  EppConfig,
  keyof EppPorts,
  {
    /** Its process (the agent's target). */
    pid: number;
    operator?: EppThroughOperator;
  }
> = {
  name: 'epp',
  ports: ['grpc', 'health', 'metrics', 'kvEvents'],
  command: binaryCommand('epp'),
  configFiles: (c) => ('container' in c ? [] : (c.files ?? [])),
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
  outputs: (c, { process }) => ({
    pid: process.pid!,
    ...('container' in c && c.operator ? { operator: c.operator } : {}),
  }),
  manifest: {
    template: 'epp.yaml',
    // kvEvents: llm-d's port for it; the GIE image kind runs binds none.
    ports: { grpc: 9002, health: 9003, metrics: 9090, kvEvents: 5557 },
    waitForDeployments: ['epp'],
    values: (c, ports, run) => ({
      eppArgs: eppCommandLine(c, ports),
      eppEnv: Object.entries(eppEnvironment(c)).map(([name, value]) => ({ name, value })),
      eppHealthService: EXT_PROC_SERVICE,
      eppImage: eppPinOf(run).image,
      // The operator injects its Go eBPF sidecar into this pod, aimed at the EPP binary of the epp container.
      eppPodAnnotations: eppPodAnnotations({
        instrumentation: INSTRUMENTATION_NAME,
        targetExe: run.opts.kind.goTargetExe ? eppPinOf(run).imageBinary : undefined,
      }),
      // Its Service, by which the others reach it (run.host).
      eppService: epp.name,
    }),
  },
  wiring: {
    // The API server it discovers the model servers through; the model servers, which it scrapes as soon as it
    // sees their Pods; in operator mode the operator, whose webhook mutates its Pod.
    after: ['kube-apiserver', 'mock-vllm', 'otel-operator'],
    instances: (run, up) =>
      run.topology === 'kind' ? [{ poolNamespace: run.namespace, tracing: eppTracing(run) }] : localEpp(run, up),
    binary: (tools, c) => ('container' in c ? c.binary : (tools.kvEventsEpp?.binary ?? tools.epp)),
    starting: (run, [c]) =>
      'container' in c
        ? `starting the EPP from the mutated pod (its env: ${Object.keys(c.container.env).join(', ')})`
        : `starting the EPP (${eppName(run)})`,
  },
};
