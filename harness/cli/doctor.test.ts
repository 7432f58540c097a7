import { loadVersions } from '../tools/versions';
import type { EbpfSupport } from '../runtime/ebpf-host';
import { LIBBPF_HEADER } from './doctor-operator';
import { formatChecks, runDoctor } from './doctor';

const noEbpf: EbpfSupport = {
  ok: false,
  reasons: ['not root (uid 1000): loading eBPF programs and uprobes needs root'],
};
const withEbpf: EbpfSupport = { ok: true, reasons: [], lockdown: 'integrity' };
/** These tests are about the other tools: the machine's eBPF view is fixed (no eBPF) unless a test says otherwise. */
const doctor = (...args: Parameters<typeof runDoctor>): ReturnType<typeof runDoctor> =>
  runDoctor(args[0], args[1], args[2], args[3], args[4] ?? noEbpf);

const v = loadVersions();
const answers =
  (found: Record<string, string>) =>
  async (cmd: string): Promise<string> => {
    if (cmd in found) return found[cmd];
    throw new Error(`${cmd}: not found`);
  };

// What a machine with every native prerequisite of the KV-events EPP answers.
const native = {
  'pkg-config': '4.3.5',
  'python3-config': '-I/py/include -L/py/lib -lpython3.11',
  cargo: 'cargo 1.90.0',
};

describe('doctor', () => {
  it('passes local when the toolchains are there, even before the tools are built', async () => {
    const checks = await doctor(
      v,
      undefined,
      answers({ go: 'go version go1.26', python3: 'pip 23', ...native }),
      () => false,
    );
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(true);
    expect(text).toContain('not built yet: `make tools` builds it');
  });

  it('fails local and says what to install when a tool is missing and Go is too', async () => {
    const checks = await doctor(v, undefined, answers({ python3: 'pip 23', ...native }), () => false);
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(false);
    expect(text).toMatch(/FAIL {2}go +not found/);
    expect(text).toContain('fix: install Go 1.24 or newer');
    expect(text).toMatch(/FAIL {2}EPP gie-v1\.5\.0 +not built, and no Go to build it/);
    expect(text).toContain('topology local: cannot run here');
  });

  it('passes local without Go, Python or cargo once every tool is cached', async () => {
    const { 'pkg-config': pkgConfig, 'python3-config': pythonConfig } = native;
    const checks = await doctor(
      v,
      undefined,
      answers({ 'pkg-config': pkgConfig, 'python3-config': pythonConfig }),
      () => true,
    );
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(true);
    expect(text).toMatch(/ok {4}cargo \(Rust\) +not needed: libtokenizers is built/);
    expect(text).toMatch(/ok {4}KV-events EPP v0\.4\.0 +\/.*\/epp\/llm-d-inference-scheduler-v0\.4\.0\/bin\/epp/);
  });

  it('fails local naming each missing native prerequisite of the KV-events EPP and how to get it', async () => {
    const checks = await doctor(v, undefined, answers({ go: 'go1.26', python3: 'pip 23' }), () => false);
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(false);
    expect(text).toMatch(/FAIL {2}libzmq \(pkg-config\) +`pkg-config --exists libzmq` failed/);
    expect(text).toContain('fix: apt-get install -y libzmq3-dev pkg-config');
    expect(text).toMatch(/FAIL {2}python3-config \(embedded Python\)/);
    expect(text).toContain('python3-dev');
    expect(text).toMatch(/FAIL {2}cargo \(Rust\)/);
    expect(text).toContain('rustup');
    expect(text).toMatch(/FAIL {2}KV-events EPP v0\.4\.0 +not built, and native prerequisites are missing/);
    // The kind topology runs images and does not build it.
    expect(formatChecks(checks, 'kind').text).toMatch(/warn {2}libzmq \(pkg-config\)/);
  });

  it('reports the KV-events EPP as buildable when Go and every native prerequisite are there', async () => {
    const checks = await doctor(v, undefined, answers({ go: 'go1.26', python3: 'pip', ...native }), () => false);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName['libzmq (pkg-config)']).toMatchObject({ ok: true, detail: 'libzmq 4.3.5' });
    expect(byName['python3-config (embedded Python)']).toMatchObject({ ok: true, detail: 'links libpython3.11' });
    expect(byName['KV-events EPP v0.4.0']).toMatchObject({ ok: true, neededBy: ['local'] });
    expect(byName['KV-events EPP v0.4.0'].detail).toContain('not built yet: `make tools` builds');
  });

  it('fails kind without a container engine and points at the local topology', async () => {
    const checks = await doctor(v, undefined, answers({ go: 'go1.26', python3: 'pip' }), () => true);
    const { ok, text } = formatChecks(checks, 'kind');
    expect(ok).toBe(false);
    expect(text).toMatch(/FAIL {2}container engine \(Docker\)/);
    expect(text).toContain('use `--topology local` instead');
  });

  it('without eBPF: a warning naming why, and the operator checks still count', async () => {
    const checks = await doctor(v, undefined, answers({ go: 'go1.26', python3: 'pip 23', ...native }), () => false);
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(true);
    expect(text).toMatch(
      /warn {2}eBPF \(Go auto-instrumentation\) +not root \(uid 1000\): loading eBPF programs and uprobes needs root: the hybrid-tracing checks will report "not applicable"/,
    );
    expect(text).toMatch(/ok {4}OpenTelemetry Operator v0\.148\.0 +not built yet/);
    expect(text).toMatch(/ok {4}OpenTelemetry Operator v0\.143\.0 +not built yet/);
    expect(text).not.toContain('Go eBPF agent');
  });

  it('with eBPF: the agent needs clang and the libbpf headers to be built, and says how to get them', async () => {
    const without = await doctor(
      v,
      undefined,
      answers({ go: 'go1.26', python3: 'pip 23', ...native }),
      () => false,
      withEbpf,
    );
    const failed = formatChecks(without, 'local');
    expect(failed.ok).toBe(false);
    expect(failed.text).toMatch(
      new RegExp(
        `FAIL {2}Go eBPF agent v0\\.23\\.0 +not built, and clang, libbpf headers \\(${LIBBPF_HEADER}\\) missing`,
      ),
    );
    expect(failed.text).toContain('fix: apt-get install -y clang llvm libbpf-dev, then `make tools`');
    const withClang = await doctor(
      v,
      undefined,
      answers({ go: 'go1.26', python3: 'pip 23', clang: 'Debian clang version 14.0.6', ...native }),
      (p) => p === LIBBPF_HEADER,
      withEbpf,
    );
    expect(formatChecks(withClang, 'local').ok).toBe(true);
    expect(formatChecks(withClang, 'local').text).toMatch(
      /ok {4}eBPF \(Go auto-instrumentation\) +root, BTF, bpf\(\); kernel lockdown integrity/,
    );
  });

  describe('an EPP binary (--epp-binary)', () => {
    const help = 'Usage of epp:\n      --pool-name string   Name of the InferencePool';
    const buildInfo =
      '/x/epp: go1.26.8\n\tpath\tgithub.com/llm-d/llm-d-router/cmd/epp\n\tmod\tgithub.com/llm-d/llm-d-router\t(devel)\t\n' +
      '\tbuild\t-ldflags="-X github.com/llm-d/llm-d-router/version.BuildRef=v0.10.0"';
    const run = (helpText: string | Error) => async (cmd: string, args: string[]) => {
      if (cmd === '/x/epp') {
        if (helpText instanceof Error) throw helpText;
        return helpText;
      }
      if (cmd === 'go' && args[0] === 'version' && args[1] === '-m') return buildInfo;
      return answers({ go: 'go version go1.26', python3: 'pip 23', ...native })(cmd);
    };

    it('checks that it answers --help as an EPP and says which contract applies, building no pinned EPP', async () => {
      const checks = await runDoctor(v, 'llm-d-router-v0.10.0', run(help), () => true, noEbpf, '/x/epp');
      const { ok, text } = formatChecks(checks, 'local');
      expect(ok).toBe(true);
      expect(text).toMatch(
        /ok {4}EPP binary +\/x\/epp; build: github\.com\/llm-d\/llm-d-router \(devel\), BuildRef v0\.10\.0: llm-d-router-v0\.10\.0; contract: llm-d-router-v0\.10\.0/,
      );
      expect(text).not.toContain('EPP gie-v1.5.0');
    });

    it('says when it has no contract: only the topology-level checks run', async () => {
      const { text } = formatChecks(await runDoctor(v, 'custom', run(help), () => true, noEbpf, '/x/epp'), 'local');
      expect(text).toContain('contract: none (only the topology-level checks run; --epp-contract NAME names one)');
    });

    it('fails a binary that is not an EPP the topology can drive', async () => {
      const notEpp = formatChecks(
        await runDoctor(v, 'custom', run('usage: ls [FILE]'), () => true, noEbpf, '/x/epp'),
        'local',
      );
      expect(notEpp.ok).toBe(false);
      expect(notEpp.text).toMatch(/FAIL {2}EPP binary +\/x\/epp --help does not list --pool-name/);
      const broken = formatChecks(
        await runDoctor(v, 'custom', run(new Error('exec format error')), () => true, noEbpf, '/x/epp'),
        'local',
      );
      expect(broken.text).toMatch(/FAIL {2}EPP binary +\/x\/epp --help failed: exec format error/);
    });
  });
});
