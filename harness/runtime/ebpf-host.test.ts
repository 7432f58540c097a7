import { ebpfSupport, missingMounts, parseLockdown, type HostView } from './ebpf-host';

const host = (over: Partial<HostView> & { files?: Record<string, string> } = {}): HostView => {
  const files = over.files ?? {
    '/sys/kernel/btf/vmlinux': '',
    '/proc/sys/kernel/unprivileged_bpf_disabled': '2',
    '/sys/kernel/security/lockdown': 'none [integrity] confidentiality\n',
  };
  return { uid: over.uid ?? 0, exists: (p) => p in files, read: (p) => files[p] };
};

describe('eBPF host checks', () => {
  it('a root machine with BTF and bpf() can run the agent; the lockdown mode is read', () => {
    expect(ebpfSupport(host())).toEqual({ ok: true, reasons: [], lockdown: 'integrity' });
  });

  it('says why it cannot, one reason per line', () => {
    const s = ebpfSupport(host({ uid: 1000, files: {} }));
    expect(s.ok).toBe(false);
    expect(s.reasons).toEqual([
      'not root (uid 1000): loading eBPF programs and uprobes needs root',
      'no /sys/kernel/btf/vmlinux: the kernel has no BTF, the probes cannot be relocated',
      'no /proc/sys/kernel/unprivileged_bpf_disabled: the kernel was built without the bpf() syscall',
    ]);
  });

  it('parses the lockdown file', () => {
    expect(parseLockdown('[none] integrity confidentiality')).toBe('none');
    expect(parseLockdown(undefined)).toBeUndefined();
  });

  it('finds the mounts the agent needs that are missing', () => {
    const mounts = [
      'sysfs /sys sysfs rw 0 0',
      'bpf /sys/fs/bpf bpf rw 0 0',
      'securityfs /sys/kernel/security securityfs rw 0 0',
    ].join('\n');
    expect(missingMounts(mounts)).toEqual([{ type: 'tracefs', path: '/sys/kernel/tracing' }]);
    expect(missingMounts('')).toHaveLength(3);
  });
});
