import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { exec } from '../runtime/exec';
import { moduleDir, type Exec, type Progress } from './build-go-tool';
import { toolDir } from './cache';
import { withLock } from './lock';
import type { Versions } from './versions';

export const TOKENIZERS_LIB = 'libtokenizers.a';

/** The directory that holds libtokenizers.a (the -L of the KV-events EPP's cgo build), built or not. */
export function tokenizersLibDir(v: Versions, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolDir('tokenizers', v.kvEventsEpp.tokenizers.version, env), 'lib');
}

function stampOf(v: Versions): string {
  const { module, version } = v.kvEventsEpp.tokenizers;
  return JSON.stringify({ module, version, build: 'cargo build --release --locked' });
}

/** Whether libtokenizers.a of the pinned version is in the cache (then cargo is not needed). */
export function tokenizersLibBuilt(v: Versions, env: NodeJS.ProcessEnv = process.env): boolean {
  const dir = toolDir('tokenizers', v.kvEventsEpp.tokenizers.version, env);
  const stamp = join(dir, 'stamp.json');
  return (
    existsSync(stamp) && readFileSync(stamp, 'utf8') === stampOf(v) && existsSync(join(dir, 'lib', TOKENIZERS_LIB))
  );
}

/** The module cache is read-only; a copy of it must be writable for cargo's lock and build files. */
function makeWritable(path: string): void {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) chmodSync(p, 0o644);
  }
}

/**
 * Builds libtokenizers.a, the Rust static library the tokenizers Go package links, from that Go module's own
 * source (its Cargo.lock pins the crates) into the cache, unless it is there. Returns the lib directory.
 */
export async function ensureTokenizersLib(
  v: Versions,
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
  run: Exec = exec,
): Promise<string> {
  const pin = v.kvEventsEpp.tokenizers;
  const dir = toolDir('tokenizers', pin.version, env);
  const libDir = tokenizersLibDir(v, env);
  if (tokenizersLibBuilt(v, env)) return libDir;
  mkdirSync(dir, { recursive: true });
  await withLock(join(dir, '.lock'), async () => {
    if (tokenizersLibBuilt(v, env)) return;
    const source = await moduleDir(pin, env, run);
    if (!existsSync(join(source, 'Cargo.toml'))) {
      throw new Error(`${pin.module}@${pin.version} has no Cargo.toml at ${source}; cannot build ${TOKENIZERS_LIB}`);
    }
    const build = join(dir, 'build');
    if (existsSync(build)) makeWritable(build); // a build that died before its copy was made writable
    rmSync(build, { recursive: true, force: true });
    cpSync(source, build, { recursive: true });
    makeWritable(build);
    progress(`building libtokenizers ${pin.version} with cargo (first time only, about a minute)`);
    const started = Date.now();
    const beat = setInterval(
      () => progress(`still building libtokenizers (${Math.round((Date.now() - started) / 1000)}s)`),
      30000,
    );
    const target = join(build, 'target');
    try {
      await run('cargo', ['build', '--release', '--locked'], {
        cwd: build,
        env: { ...env, CARGO_TARGET_DIR: target },
      });
    } finally {
      clearInterval(beat);
    }
    const built = join(target, 'release', TOKENIZERS_LIB);
    if (!existsSync(built)) throw new Error(`cargo build finished but left no ${built}`);
    mkdirSync(libDir, { recursive: true });
    copyFileSync(built, join(libDir, TOKENIZERS_LIB));
    writeFileSync(join(dir, 'stamp.json'), stampOf(v));
    rmSync(build, { recursive: true, force: true });
    progress(`built libtokenizers ${pin.version} in ${Math.round((Date.now() - started) / 1000)}s`);
  });
  return libDir;
}
