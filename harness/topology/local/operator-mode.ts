import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../../config/run-options';
import type { Ports } from '../../components/declaration';
import { epp as eppDecl, eppArgs, POOL_NAMESPACE } from '../../components/epp';
import { goAutoAgent } from '../../components/go-auto-agent';
import type { KubeClient, KubeObject } from '../../components/kube-client';
import { operator } from '../../components/operator';
import {
  EPP_CONTAINER,
  GO_SIDECAR,
  eppContainerEnv,
  eppExporterProblems,
  renderEppPod,
  renderLocalInstrumentation,
  type LocalInstrumentationEndpoints,
} from '../../components/operator-epp-pod';
import { podContainers, resolveContainerEnv, type PodRuntime } from '../../components/pod-env';
import { ebpfSupport, ensureEbpfMounts, type EbpfSupport } from '../../runtime/ebpf-host';
import type { RunContext } from '../../runtime/run-context';
import type { Progress } from '../../tools/build-go-tool';
import { agentTargetBinary } from '../../tools/agent-target';
import { ensureGoAutoAgent } from '../../tools/go-auto-agent-tool';
import { ensureOperator, goAutoVersionOf, operatorGoImage, operatorModuleDir } from '../../tools/operator-tool';
import type { EppPin, Versions } from '../../tools/versions';
import { launchLocal, type StartedComponent } from './launch';

export const LOCAL_INSTRUMENTATION = 'epp-go';
export const OPERATOR_NAMESPACE = POOL_NAMESPACE;
/** What a kubelet would know of the EPP pod: everything runs on this machine's loopback. */
export const LOCAL_POD_RUNTIME: PodRuntime = { podIP: '127.0.0.1', hostIP: '127.0.0.1', nodeName: 'epp-e2e-local' };

export interface OperatorModeTools {
  operator: string;
  operatorDir: string;
  goImage: string;
  ebpf: EbpfSupport;
  /** The agent, or undefined when this machine cannot run eBPF (then `ebpf.reasons` say why). */
  agent?: string;
}

/**
 * The operator at the run's version and, where this machine can run eBPF, the agent. The agent is pinned at
 * the pinned operator's Go image version; a mismatch means versions.yaml was changed on one side only.
 */
export async function ensureOperatorModeTools(
  v: Versions,
  operatorVersion: string,
  progress: Progress,
): Promise<OperatorModeTools> {
  const operator = await ensureOperator(v, operatorVersion, progress);
  const operatorDir = await operatorModuleDir(v, operatorVersion);
  const pinnedDir =
    operatorVersion === v.kind.operator.default ? operatorDir : await operatorModuleDir(v, v.kind.operator.default);
  const wanted = goAutoVersionOf(pinnedDir);
  if (wanted !== v.goAutoAgent.version) {
    throw new Error(
      `versions.yaml pins goAutoAgent ${v.goAutoAgent.version}, but operator ${v.kind.operator.default}'s default ` +
        `Go image is ${wanted} (its versions.txt): pin the agent at ${wanted}`,
    );
  }
  const ebpf = ebpfSupport();
  const agent = ebpf.ok ? await ensureGoAutoAgent(v, progress) : undefined;
  return { operator, operatorDir, goImage: operatorGoImage(v, operatorDir), ebpf, agent };
}

export interface OperatorModeResult {
  epp: StartedComponent<'grpc' | 'health' | 'metrics'>;
  /** The EPP Pod as the operator's webhook left it. */
  pod: KubeObject;
  /** The EPP Pod as the harness wrote it, before the webhook (what a dry run of a variant starts from). */
  written: KubeObject;
  eppEnv: Record<string, string>;
  sidecarEnv?: Record<string, string>;
  agent?: StartedComponent<never> & { probesOff: string[]; loadSeconds: number };
  /** Why no agent runs: nothing injected (negative control), or no eBPF on this machine. */
  noAgentReason?: string;
}

/**
 * The EPP through the operator, as a kubelet would run the mutated pod: the EPP process gets the `epp`
 * container's env (fieldRef and $(VAR) resolved; the pod spec's, see eppContainerEnv), the agent gets the
 * sidecar's (the operator's injection), with OTEL_GO_AUTO_TARGET_EXE
 * mapped from the image's path to the local build of the same release (the agent matches it against
 * /proc/PID/exe). The harness adds only KUBECONFIG, standing in for the pod's service account.
 */
export async function startEppThroughOperator(
  ctx: RunContext,
  s: {
    opts: RunOptions;
    kube: KubeClient;
    kubeconfig: string;
    tools: OperatorModeTools;
    eppBinary: string;
    eppPin: EppPin;
    operatorPorts: Ports<'webhook' | 'metrics' | 'health'>;
    eppPorts: Ports<'grpc' | 'health' | 'metrics'>;
    jaeger: LocalInstrumentationEndpoints;
  },
): Promise<OperatorModeResult> {
  const { opts, kube, tools } = s;
  const instrumentation = renderLocalInstrumentation(opts, {
    namespace: OPERATOR_NAMESPACE,
    name: LOCAL_INSTRUMENTATION,
    ...s.jaeger,
  });
  ctx.progress(
    `starting the OpenTelemetry Operator ${opts.kind.operatorVersion} (local manager, webhook on 127.0.0.1)`,
  );
  await launchLocal(
    ctx,
    operator,
    {
      version: opts.kind.operatorVersion,
      moduleDir: tools.operatorDir,
      kube,
      kubeconfig: s.kubeconfig,
      goImage: tools.goImage,
      probeInstrumentation: instrumentation,
    },
    { ports: s.operatorPorts, binary: tools.operator },
  );
  await kube.apply(instrumentation);
  const written = renderEppPod({
    namespace: OPERATOR_NAMESPACE,
    epp: s.eppPin,
    args: eppArgs(s.eppPorts),
    env: eppContainerEnv(opts, s.jaeger.otlpGrpc),
    instrumentation: LOCAL_INSTRUMENTATION,
    goTargetExe: opts.kind.goTargetExe,
    ports: s.eppPorts,
  });
  const pod = await kube.apply(written);
  writeFileSync(join(ctx.runDir, 'epp-pod.mutated.json'), JSON.stringify(pod, null, 2));
  const eppEnv = resolveContainerEnv(pod, EPP_CONTAINER, LOCAL_POD_RUNTIME);
  const problems = eppExporterProblems(eppEnv, s.jaeger);
  if (problems.length) {
    throw new Error(
      `the operator's environment for the EPP cannot export its spans:\n- ${problems.join('\n- ')}\n` +
        `(mutated pod: ${join(ctx.runDir, 'epp-pod.mutated.json')})`,
    );
  }
  const container = podContainers(pod).find((c) => c.name === EPP_CONTAINER)!;
  const hasSidecar = podContainers(pod).some((c) => c.name === GO_SIDECAR);
  // Where the agent will analyse it, the EPP runs from its copy with uncompressed DWARF: the same program, its
  // offset analysis ~10x faster (agentTargetBinary says why and how it is the same).
  const eppFile = hasSidecar && tools.agent ? await agentTargetBinary(s.eppBinary, ctx.progress) : s.eppBinary;
  ctx.progress(`starting the EPP from the mutated pod (its env: ${Object.keys(eppEnv).join(', ')})`);
  const epp = await launchLocal(
    ctx,
    eppDecl,
    { container: { args: container.args, env: eppEnv }, kubeconfig: s.kubeconfig },
    { ports: s.eppPorts, binary: eppFile },
  );

  if (!hasSidecar)
    return { epp, pod, written, eppEnv, noAgentReason: `the operator injected no ${GO_SIDECAR} container` };
  const sidecarEnv = resolveContainerEnv(pod, GO_SIDECAR, LOCAL_POD_RUNTIME);
  if (!tools.agent) {
    return {
      epp,
      pod,
      written,
      eppEnv,
      sidecarEnv,
      noAgentReason: `this machine cannot run the eBPF agent: ${tools.ebpf.reasons.join('; ')}`,
    };
  }
  const target = sidecarEnv.OTEL_GO_AUTO_TARGET_EXE;
  if (target !== s.eppPin.imageBinary) {
    throw new Error(
      `the sidecar targets ${target}, which is not the binary of the EPP image (${s.eppPin.imageBinary}); ` +
        'the local EPP is the build of that binary, nothing else can be mapped',
    );
  }
  const local = realpathSync(eppFile);
  await ensureEbpfMounts(ctx.progress);
  ctx.progress(
    `starting the Go auto-instrumentation agent on the EPP (pid ${epp.process.pid}, ${local}); ` +
      'waiting for its offset analysis',
  );
  const agent = await launchLocal(
    ctx,
    goAutoAgent,
    { env: { ...sidecarEnv, OTEL_GO_AUTO_TARGET_EXE: local }, target: { pid: epp.process.pid!, binary: local } },
    { ports: {}, binary: tools.agent },
  );
  ctx.progress(
    `agent loaded in ${agent.loadSeconds}s; probes turned off: ${agent.probesOff.length ? agent.probesOff.join(' | ') : 'none'}`,
  );
  return { epp, pod, written, eppEnv, sidecarEnv, agent };
}
