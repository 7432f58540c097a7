import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { exec } from '../runtime/exec';
import type { Progress } from './build-go-tool';
import { moduleDir } from './build-go-tool';
import { toolDir } from './cache';
import { withLock } from './lock';
import type { GoAutoAgentPin, Versions } from './versions';
import { REPO_ROOT } from './versions';

/** Our agent main, on the library's public API only (see its header comment). */
export const AGENT_MAIN = join(REPO_ROOT, 'harness', 'go-auto-agent', 'main.go');

/** The module's own replace of its sdk submodule points inside the repository; the served version is used. */
const LOCAL_SDK_REPLACE = /^replace go\.opentelemetry\.io\/auto\/sdk => \.\/sdk\s*$/m;

export function goAutoAgentPath(v: Versions, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolDir('go-auto-agent', v.goAutoAgent.version, env), 'bin', v.goAutoAgent.binary);
}

/** A rebuild happens when the pin or our main changes. */
export function goAutoAgentStamp(pin: GoAutoAgentPin, mainSource: string): string {
  const main = createHash('sha256').update(mainSource).digest('hex');
  return JSON.stringify({ module: pin.module, version: pin.version, main });
}

/** The go.mod of the module that builds our main against the generated copy of the library. */
export function renderAgentGoMod(pin: GoAutoAgentPin): string {
  return [
    'module epp-otel-e2e/tools/go-auto-agent',
    '',
    'go 1.24.6',
    '',
    `require ${pin.module} ${pin.version}`,
    '',
    `replace ${pin.module} => ../auto`,
    '',
  ].join('\n');
}

/** The module's go.mod without its local sdk replace (it would point at a directory the module zip lacks). */
export function dropLocalSdkReplace(goMod: string): string {
  if (!LOCAL_SDK_REPLACE.test(goMod)) return goMod;
  return goMod.replace(LOCAL_SDK_REPLACE, '');
}

/**
 * Builds the agent unless cached: copies the module out of the read-only module cache, runs the module's own
 * `go generate` for its eBPF probes (clang; the compiled objects are not in the module download, but the code
 * embeds them), then builds our main with a replace onto that copy. The probes are the library's, unpatched.
 */
export async function ensureGoAutoAgent(
  v: Versions,
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const pin = v.goAutoAgent;
  const dir = toolDir('go-auto-agent', pin.version, env);
  const binary = goAutoAgentPath(v, env);
  const stampFile = join(dir, 'stamp.json');
  const wanted = goAutoAgentStamp(pin, readFileSync(AGENT_MAIN, 'utf8'));
  const isBuilt = (): boolean =>
    existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted;
  if (isBuilt()) return binary;
  mkdirSync(dir, { recursive: true });
  await withLock(join(dir, '.lock'), async () => {
    if (isBuilt()) return;
    const label = `the Go auto-instrumentation agent (${pin.module}@${pin.version})`;
    const started = Date.now();
    const beat = setInterval(
      () => progress(`still building ${label} (${Math.round((Date.now() - started) / 1000)}s)`),
      30000,
    );
    try {
      const lib = join(dir, 'auto');
      const src = join(dir, 'src');
      rmSync(lib, { recursive: true, force: true });
      rmSync(src, { recursive: true, force: true });
      progress(`building ${label}: copying the module and generating its eBPF objects with clang (first time only)`);
      const upstream = await moduleDir(pin, env);
      cpSync(upstream, lib, { recursive: true });
      makeWritable(lib);
      writeFileSync(join(lib, 'go.mod'), dropLocalSdkReplace(readFileSync(join(lib, 'go.mod'), 'utf8')));
      const goEnv = { ...env, GOFLAGS: '-mod=mod' };
      await exec('go', ['generate', './internal/pkg/instrumentation/bpf/...'], {
        cwd: lib,
        env: {
          ...goEnv,
          // The probes include the module's vendored libbpf headers and its own; bpf2go passes these to clang.
          BPF2GO_CFLAGS: `-I${join(lib, 'internal', 'include', 'libbpf')} -I${join(lib, 'internal', 'include')}`,
        },
      });
      progress(`generated the eBPF objects in ${Math.round((Date.now() - started) / 1000)}s; building our agent main`);
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'go.mod'), renderAgentGoMod(pin));
      writeFileSync(join(src, 'go.sum'), readFileSync(join(lib, 'go.sum')));
      cpSync(AGENT_MAIN, join(src, 'main.go'));
      const buildEnv = { ...goEnv, CGO_ENABLED: '0' };
      await exec('go', ['mod', 'tidy'], { cwd: src, env: buildEnv });
      await exec('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: src, env: buildEnv });
    } finally {
      clearInterval(beat);
    }
    writeFileSync(stampFile, wanted);
    progress(`built ${label} in ${Math.round((Date.now() - started) / 1000)}s`);
  });
  return binary;
}

/** The module cache is read-only; the copy must not be, or generate cannot write and the next build cannot delete. */
function makeWritable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.mode | 0o200);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeWritable(join(path, e));
}
