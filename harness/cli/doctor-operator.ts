import type { EbpfSupport } from '../runtime/ebpf-host';
import { goAutoAgentPath } from '../tools/go-auto-agent-tool';
import { operatorPath, operatorVersions } from '../tools/operator-tool';
import type { Versions } from '../tools/versions';
import type { Check } from './doctor';

/** The headers the agent's `go generate` compiles against (Debian libbpf-dev). */
export const LIBBPF_HEADER = '/usr/include/bpf/bpf_helpers.h';

/**
 * The operator path of the local topology: both operator releases (built from Go, like the other tools), and the
 * eBPF agent with what it needs of this machine. A machine that cannot do eBPF is a warning, not a failure: the
 * operator checks still run there and the eBPF scenarios say "not applicable" by name.
 */
export function operatorChecks(
  v: Versions,
  o: { haveGo: boolean; clang: string | undefined; ebpf: EbpfSupport; exists: (p: string) => boolean },
): Check[] {
  const checks: Check[] = [];
  for (const version of operatorVersions(v)) {
    const path = operatorPath(v, version);
    const built = o.exists(path);
    checks.push({
      name: `OpenTelemetry Operator ${version}`,
      ok: built || o.haveGo,
      detail: built
        ? path
        : o.haveGo
          ? 'not built yet: `make tools` builds it (about 10 minutes on 2 cores)'
          : 'not built, and no Go',
      fix: built ? undefined : 'run `make tools` (needs Go)',
      neededBy: ['local'],
    });
  }
  checks.push({
    name: 'eBPF (Go auto-instrumentation)',
    ok: o.ebpf.ok,
    detail: o.ebpf.ok
      ? `root, BTF, bpf(); kernel lockdown ${o.ebpf.lockdown ?? 'unknown until securityfs is mounted'}`
      : `${o.ebpf.reasons.join('; ')}: the hybrid-tracing checks will report "not applicable"`,
    fix: o.ebpf.ok ? undefined : 'run as root on a kernel with BTF and BPF to run the eBPF agent',
    neededBy: [],
  });
  if (!o.ebpf.ok) return checks;
  const agent = goAutoAgentPath(v);
  const agentBuilt = o.exists(agent);
  const headers = o.exists(LIBBPF_HEADER);
  const canBuild = o.haveGo && o.clang !== undefined && headers;
  const missing = [o.clang ? '' : 'clang', headers ? '' : `libbpf headers (${LIBBPF_HEADER})`].filter(Boolean);
  checks.push({
    name: `Go eBPF agent ${v.goAutoAgent.version}`,
    ok: agentBuilt || canBuild,
    detail: agentBuilt
      ? agent
      : canBuild
        ? `not built yet: \`make tools\` generates its eBPF objects with ${o.clang} and builds it`
        : `not built, and ${missing.length ? `${missing.join(', ')} missing` : 'no Go'}`,
    fix: agentBuilt ? undefined : `apt-get install -y ${v.goAutoAgent.debianPackages.join(' ')}, then \`make tools\``,
    neededBy: ['local'],
  });
  return checks;
}
