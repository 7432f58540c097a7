import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RunOptions } from '../../config/run-options';
import { outputsOf, portsOf, type RunTools } from '../../components/declaration';
import { envoy } from '../../components/envoy';
import { etcd } from '../../components/etcd';
import { epp, eppKvEventsEndpoint, eppName, eppPinOf, POOL_NAMESPACE } from '../../components/epp';
import { goAutoAgent } from '../../components/go-auto-agent';
import { jaeger, jaegerOtlp } from '../../components/jaeger';
import { kubeApiserver } from '../../components/kube-apiserver';
import type { KubeClient, KubeObject } from '../../components/kube-client';
import { mockVllm } from '../../components/mock-vllm';
import { admissionProbePod, EPP_WORKLOAD, INSTRUMENTATION_NAME } from '../../components/operator-epp-pod';
import { COMPONENTS } from '../../components/registry';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../../components/service-names';
import { recordUsedRun } from '../../runtime/deaths';
import { createRunContext, type RunContext } from '../../runtime/run-context';
import { ensureOperatorModeTools } from '../../tools/operator-mode-tools';
import { ensureKvEventsEpp, ensureLocalTools } from '../../tools/tools';
import { loadVersions, selectPins } from '../../tools/versions';
import { TOPOLOGY_CAPABILITIES, type Capability, type Endpoints, type Topology } from '../types';
import { accessTo, controlPlaneMismatch, type ControlPlaneOffer } from './control-plane';
import { launchAll, type LocalRunBase } from './launch';

export { ENVOY_SERVICE, MOCK_VLLM_SERVICE };
// Where the scenarios that publish KV events have always found them; they are the EPP's (components/epp.ts).
export { KV_BLOCK_SIZE, KV_HASH_SEED } from '../../components/epp';

class LocalTopology implements Topology {
  readonly name = 'local' as const;
  readonly capabilities: ReadonlySet<Capability>;

  constructor(
    readonly endpoints: Endpoints,
    private readonly ctx: RunContext,
    private readonly kube: KubeClient,
    /** Operator mode: the EPP Pod as the harness wrote it, before the operator's webhook. */
    private readonly writtenEppPod?: KubeObject,
    /** The log files of the processes it uses but did not start (a shared control plane's), by name. */
    private readonly usedLogs: Record<string, string> = {},
  ) {
    this.capabilities = new Set<Capability>([
      ...TOPOLOGY_CAPABILITIES.local,
      ...(endpoints.kvEvents ? (['kv-events'] as const) : []),
    ]);
  }

  /** Operator mode: the EPP Pod as the API server has it now (after the operator's webhook mutated it). */
  async eppPod(): Promise<KubeObject> {
    if (!this.endpoints.operator) throw new Error('this local topology does not run the EPP through the operator');
    const pod = await this.kube.get({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: this.endpoints.operator.eppPod, namespace: this.endpoints.operator.namespace },
    });
    if (!pod) throw new Error(`the EPP pod ${this.endpoints.operator.eppPod} is gone from the local API server`);
    return pod;
  }

  async admitEppPod(annotations: Record<string, string | null>): Promise<KubeObject> {
    if (!this.endpoints.operator || !this.writtenEppPod) {
      throw new Error('this local topology does not run the EPP through the operator');
    }
    return this.kube.dryRunCreate(
      admissionProbePod(this.writtenEppPod, this.endpoints.operator.namespace, annotations),
    );
  }

  async collectLogs(): Promise<Record<string, string>> {
    return {
      ...this.usedLogs,
      ...Object.fromEntries(this.ctx.registry.processes.map((p) => [p.name, p.spec.logFile])),
    };
  }

  async stop(): Promise<void> {
    this.ctx.progress(`stopping ${this.ctx.registry.processes.length} processes of run ${this.ctx.runId}`);
    await this.ctx.registry.stopAll();
  }
}

/**
 * Brings up the whole system as processes on 127.0.0.1: every registered component this run has (etcd +
 * kube-apiserver, the EPP's discovery source; Jaeger; N mock vLLMs; the EPP; Envoy; in operator mode the
 * operator and the eBPF agent), started by launchAll from their declarations. Independent parts start in
 * parallel; each waits on a real readiness signal. If anything fails, everything already started is stopped
 * before the error is thrown.
 *
 * Offered a shared control plane it can use (controlPlaneMismatch), it starts no etcd or kube-apiserver: its
 * objects go to a namespace of its own there, and a death of that control plane is a death of this run.
 */
export async function startLocalTopology(
  opts: RunOptions,
  progress: (m: string) => void,
  controlPlane?: ControlPlaneOffer,
): Promise<Topology> {
  const pins = selectPins(loadVersions(), opts);
  const local = await ensureLocalTools(pins, opts.eppBinary ? undefined : opts.eppVersion, progress, opts.eppBinary);
  if (opts.eppBinary) progress(`EPP binary ${opts.eppBinary}: contract ${opts.eppVersion} (${opts.eppContractSource})`);
  const tools: RunTools = {
    ...local,
    // The KV-events EPP replaces the pinned one for the scenarios that ask for it (see versions.yaml kvEventsEpp).
    ...(opts.kvEventsEpp ? { kvEventsEpp: await ensureKvEventsEpp(pins, progress) } : {}),
    ...(opts.operatorMode
      ? { operatorMode: await ensureOperatorModeTools(pins, opts.kind.operatorVersion, progress) }
      : {}),
  };
  const ctx = createRunContext(opts.runsRoot, progress);
  progress(`run ${ctx.runId}: logs in ${ctx.logsDir}`);
  let onControlPlane: Pick<LocalRunBase, 'namespace' | 'given'> = { namespace: POOL_NAMESPACE };
  const mismatch = controlPlane && controlPlaneMismatch(opts, pins, controlPlane);
  if (mismatch) progress(`a control plane of its own: the run's shared one does not fit (${mismatch})`);
  const shared = controlPlane && !mismatch ? controlPlane.ready() : undefined;
  if (shared) {
    const namespace = `e2e-${ctx.runId.toLowerCase()}`;
    // The components that do not need it (Jaeger, the mocks) start while it comes up.
    const api = shared.then(async (cp) => {
      // The run's deaths include the control plane's from here on: its checks fail at once when it dies.
      recordUsedRun(ctx.runDir, cp.runDir);
      const access = accessTo(cp);
      await access.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      progress(`using the control plane of run ${basename(cp.runDir)}, namespace ${namespace}`);
      return [access];
    });
    // Its etcd only the kube-apiserver reads: given with no outputs, so that this run starts neither.
    onControlPlane = { namespace, given: { [kubeApiserver.name]: api, [etcd.name]: [] } };
  }
  const { run, up } = await launchAll(ctx, COMPONENTS, { opts, pins, tools, ...onControlPlane });
  try {
    // What scenarios address: the only place that names components, beside their declarations.
    const [api] = outputsOf(up, kubeApiserver);
    const [jaegerOut] = outputsOf(up, jaeger);
    const [eppOut] = outputsOf(up, epp);
    const [agent] = outputsOf(up, goAutoAgent);
    const eppPorts = portsOf(run, epp);
    const otlp = jaegerOtlp(run);
    const op = eppOut.operator;
    const operator: Endpoints['operator'] = op && {
      version: opts.kind.operatorVersion,
      namespace: run.namespace,
      instrumentation: INSTRUMENTATION_NAME,
      eppPod: EPP_WORKLOAD,
      imageBinary: eppPinOf(run).imageBinary,
      eppEnv: op.eppEnv,
      sidecarEnv: op.sidecarEnv,
      otlp: { grpc: otlp.otlpGrpc, http: otlp.otlpHttp },
      agent: agent && {
        probesOff: agent.probesOff,
        loadSeconds: agent.loadSeconds,
        service: op.sidecarEnv?.OTEL_SERVICE_NAME ?? '',
      },
      noAgentReason: op.noAgentReason,
    };
    const endpoints: Endpoints = {
      topology: 'local',
      eppVersion: eppName(run),
      ...(opts.eppBinary && !opts.kvEventsEpp ? { eppBinary: opts.eppBinary } : {}),
      gateway: `http://127.0.0.1:${portsOf(run, envoy).gateway}`,
      extProc: `127.0.0.1:${eppPorts.grpc}`,
      kvEvents: eppKvEventsEndpoint(run),
      eppMetrics: `http://127.0.0.1:${eppPorts.metrics}/metrics`,
      jaegerQuery: jaegerOut.queryUrl,
      jaegerUi: jaegerOut.queryUrl,
      models: outputsOf(up, mockVllm).map((m) => ({
        name: m.name,
        address: m.address,
        url: `http://${m.address}`,
        model: opts.modelName,
      })),
      // In operator mode the EPP's service name is the one the operator gave it (the pod's name).
      services: {
        epp: op?.eppEnv.OTEL_SERVICE_NAME ?? opts.eppServiceName,
        envoy: ENVOY_SERVICE,
        mockVllm: MOCK_VLLM_SERVICE,
      },
      logsDir: ctx.logsDir,
      runDir: ctx.runDir,
      ...(operator ? { operator } : {}),
    };
    writeFileSync(join(ctx.runDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
    return new LocalTopology(endpoints, ctx, api.kube, op?.written, (await shared)?.logs);
  } catch (err) {
    progress(`start-up failed; stopping what was started (logs kept in ${ctx.logsDir})`);
    await ctx.registry.stopAll();
    throw err;
  }
}
