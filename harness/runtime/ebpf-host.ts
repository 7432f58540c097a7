import { existsSync, readFileSync } from 'node:fs';
import { exec } from './exec';

/**
 * What the Go auto-instrumentation agent needs of this machine, and the pseudo-filesystems it reads: bpffs
 * (pinned maps), tracefs (uprobe events) and securityfs (the kernel lockdown mode: without it the library
 * assumes no lockdown and its write-user probes then fail to load on a locked kernel).
 */
export const EBPF_MOUNTS = [
  { type: 'bpf', path: '/sys/fs/bpf' },
  { type: 'tracefs', path: '/sys/kernel/tracing' },
  { type: 'securityfs', path: '/sys/kernel/security' },
] as const;

export interface EbpfSupport {
  /** Whether eBPF uprobes can work here at all; when not, `reasons` say why, one line each. */
  ok: boolean;
  reasons: string[];
  /** The kernel lockdown mode ("none", "integrity", ...), or undefined when it cannot be read yet. */
  lockdown?: string;
}

/** The filesystem and identity reads ebpfSupport makes, injectable for tests. */
export interface HostView {
  uid: number;
  exists(path: string): boolean;
  read(path: string): string | undefined;
}

export const realHost: HostView = {
  uid: process.getuid?.() ?? -1,
  exists: existsSync,
  read: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};

export function parseLockdown(text: string | undefined): string | undefined {
  return text ? /\[(\w+)\]/.exec(text)?.[1] : undefined;
}

/** Whether the agent can run here: root, BTF and the bpf() syscall (uprobe events are checked once tracefs is mounted). */
export function ebpfSupport(host: HostView = realHost): EbpfSupport {
  const reasons: string[] = [];
  if (host.uid !== 0) reasons.push(`not root (uid ${host.uid}): loading eBPF programs and uprobes needs root`);
  if (!host.exists('/sys/kernel/btf/vmlinux'))
    reasons.push('no /sys/kernel/btf/vmlinux: the kernel has no BTF, the probes cannot be relocated');
  if (!host.exists('/proc/sys/kernel/unprivileged_bpf_disabled'))
    reasons.push('no /proc/sys/kernel/unprivileged_bpf_disabled: the kernel was built without the bpf() syscall');
  return { ok: reasons.length === 0, reasons, lockdown: parseLockdown(host.read('/sys/kernel/security/lockdown')) };
}

/** The mounts of EBPF_MOUNTS that /proc/mounts lacks. */
export function missingMounts(procMounts: string): { type: string; path: string }[] {
  const mounted = new Set(
    procMounts
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2)
      .map((f) => `${f[2]} ${f[1]}`),
  );
  return EBPF_MOUNTS.filter((m) => !mounted.has(`${m.type} ${m.path}`));
}

/**
 * Mounts what the agent needs and is not mounted yet (needs root; kept mounted: they are views of kernel state,
 * shared by every run, and the machine's own setup usually has them). Returns what it mounted, for the log.
 */
export async function ensureEbpfMounts(progress: (m: string) => void): Promise<string[]> {
  const missing = missingMounts(readFileSync('/proc/mounts', 'utf8'));
  for (const m of missing) {
    progress(`mounting ${m.type} at ${m.path} (the Go auto-instrumentation agent needs it)`);
    await exec('mount', ['-t', m.type, m.type, m.path], { timeoutMs: 10000 });
  }
  if (!existsSync('/sys/kernel/tracing/uprobe_events')) {
    throw new Error('tracefs has no uprobe_events: this kernel was built without uprobes (CONFIG_UPROBE_EVENTS)');
  }
  return missing.map((m) => m.path);
}
