import { ebpfSupport } from '../runtime/ebpf-host';
import type { Progress } from './build-go-tool';
import { ensureGoAutoAgent } from './go-auto-agent-tool';
import { ensureOperator, operatorVersions } from './operator-tool';
import type { Versions } from './versions';

/**
 * What the local suite's operator path needs (`make tools`): both operator releases (the injection scenarios run
 * the pinned one, upgrade-check both) and, where this machine can run eBPF, the agent. One after the other: on
 * two cores parallel Go builds only thrash.
 */
export async function ensureOperatorPathTools(v: Versions, progress: Progress): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const version of operatorVersions(v)) paths[`operator ${version}`] = await ensureOperator(v, version, progress);
  const ebpf = ebpfSupport();
  if (ebpf.ok) paths['go-auto-agent'] = await ensureGoAutoAgent(v, progress);
  else progress(`not building the Go auto-instrumentation agent: ${ebpf.reasons.join('; ')}`);
  return paths;
}
