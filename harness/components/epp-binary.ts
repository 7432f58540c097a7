/**
 * What an EPP binary someone built is (`--epp-binary PATH`), from its Go build information (`go version -m`).
 *
 * Builds from a source checkout or a `git archive` have no VCS stamp, so the main module's version reads `(devel)`
 * (llm-d's release builds, and ours of llm-d-router v0.9.0/v0.10.0, are like that). llm-d-router's Makefile sets
 * the release through the linker instead (`-X github.com/llm-d/llm-d-router/version.BuildRef=<tag>`), and Go
 * records the -ldflags of a build in the same build information, so `go version -m` shows it: that is where the
 * version is read when the module version is `(devel)`. Nothing is guessed beyond that: an EPP whose module and
 * version do not name a pinned EPP with a contract is "unknown", and the caller says so.
 */
import { execFileSync } from 'node:child_process';
import type { Versions } from '../tools/versions';

/** The Go modules of the EPPs this harness knows, by the prefix of their versions.yaml names. */
const EPP_MODULES: Record<string, string> = {
  'sigs.k8s.io/gateway-api-inference-extension': 'gie',
  'github.com/llm-d/llm-d-router': 'llm-d-router',
  'github.com/llm-d/llm-d-inference-scheduler': 'llm-d-inference-scheduler',
};

export interface BinaryIdentity {
  /** The versions.yaml EPP name whose contract applies, or null when the binary is not a known one. */
  eppVersion: string | null;
  /** What was read, in words (printed by the CLI and doctor). */
  detail: string;
}

/** Reads the main module and its version (the ldflags BuildRef when the module says `(devel)`). */
export function parseBuildInfo(text: string): { module?: string; version?: string; buildRef?: string } {
  const lines = text.split('\n').map((l) => l.trim().split(/\s+/));
  const mod = lines.find((f) => f[0] === 'mod');
  const path = lines.find((f) => f[0] === 'path')?.[1];
  // A binary built through a generated tools module (this harness's own builds) has the EPP as a dependency.
  const dep = path ? lines.find((f) => f[0] === 'dep' && path.startsWith(`${f[1]}/`)) : undefined;
  const main = mod && mod[1] !== undefined && path?.startsWith(mod[1]) ? mod : (dep ?? mod);
  // Only the main module's own version package counts (`-X <module>/version.BuildRef=<tag>`).
  const ldflags = lines.find((f) => f[0] === 'build' && f[1]?.startsWith('-ldflags='))?.join(' ') ?? '';
  const buildRef = main?.[1] ? ldflags.split(`${main[1]}/version.BuildRef=`)[1]?.match(/^[^\s"]+/)?.[0] : undefined;
  return { module: main?.[1], version: main?.[2], buildRef };
}

/** Which pinned EPP version a build is, when its module and version say so. */
export function identifyBuild(text: string, versions: Versions): BinaryIdentity {
  const info = parseBuildInfo(text);
  if (!info.module) return { eppVersion: null, detail: 'no Go build information (not a Go binary, or stripped of it)' };
  const release = info.version && info.version !== '(devel)' ? info.version : info.buildRef;
  const from =
    info.version === '(devel)'
      ? `${info.module} (devel), BuildRef ${info.buildRef ?? 'not set'}`
      : `${info.module} ${info.version ?? ''}`.trim();
  const prefix = EPP_MODULES[info.module];
  if (!prefix || !release) return { eppVersion: null, detail: `${from}: not a known EPP module and version` };
  const name = `${prefix}-${release}`;
  if (!versions.epp.versions[name])
    return { eppVersion: null, detail: `${from}: no pinned EPP ${name} in versions.yaml` };
  return { eppVersion: name, detail: `${from}: ${name}` };
}

/** `go version -m PATH`, synchronously (run options are resolved synchronously, once per run). */
export function readBuildInfo(path: string): string {
  try {
    return execFileSync('go', ['version', '-m', path], { encoding: 'utf8', timeout: 30000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `go version -m failed: ${(e.stderr || e.message).trim()}`;
  }
}
