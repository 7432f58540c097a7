import { ebpfSupport, type EbpfSupport } from '../runtime/ebpf-host';
import type { Progress } from './build-go-tool';
import { ensureGoAutoAgent } from './go-auto-agent-tool';
import { ensureOperator, goAutoVersionOf, operatorGoImage, operatorModuleDir } from './operator-tool';
import type { Versions } from './versions';

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
