import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type ExecOptions } from '../runtime/exec';
import { toolDir } from './cache';
import { renderToolsGo, renderToolsGoMod } from './go-module';
import { withLock } from './lock';
import type { GoToolPin } from './versions';

export interface GoToolSpec {
  /** Cache name, e.g. "epp" or "control-plane". */
  name: string;
  /** Cache key, e.g. "gie-v1.5.0". */
  key: string;
  pins: GoToolPin[];
  /** Which pins' upstream replace directives to restate (the others are built inside that pin's graph). */
  replacesFrom: GoToolPin[];
  /**
   * Build with cgo and these CGO_CFLAGS/CGO_LDFLAGS (native libraries the packages link); without it the
   * build is CGO_ENABLED=0. Part of the stamp, so changed flags rebuild.
   */
  cgo?: { cflags: string; ldflags: string };
}

export type Progress = (message: string) => void;

interface ModuleInfo {
  Dir: string;
  GoMod: string;
}

/** The part of runtime/exec a module download uses, injectable for tests. */
export type Exec = (cmd: string, args: string[], opts?: ExecOptions) => Promise<string>;

async function downloadModule(
  pin: Pick<GoToolPin, 'module' | 'version'>,
  env: NodeJS.ProcessEnv,
  run: Exec = exec,
): Promise<ModuleInfo> {
  const out = await run('go', ['mod', 'download', '-json', `${pin.module}@${pin.version}`], { env });
  const info = JSON.parse(out) as ModuleInfo & { Error?: string };
  if (info.Error) throw new Error(`go could not download ${pin.module}@${pin.version}: ${info.Error}`);
  return info;
}

/** Absolute paths of the binaries a spec produces, whether or not they are built yet. */
export function goToolPaths(spec: GoToolSpec, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const dir = toolDir(spec.name, spec.key, env);
  return Object.fromEntries(spec.pins.map((p) => [p.binary, join(dir, 'bin', p.binary)]));
}

/**
 * What stamp.json holds for a build: a different stamp rebuilds. Without cgo it stays the bare pins, as it always
 * was, so existing caches stay valid; with cgo the flags are part of it.
 */
export function buildStamp(spec: GoToolSpec): string {
  return JSON.stringify(spec.cgo ? { pins: spec.pins, cgo: spec.cgo } : spec.pins);
}

/** The environment of `go build`: CGO_ENABLED=0, or cgo with the spec's flags. */
export function goBuildEnv(spec: GoToolSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return spec.cgo
    ? { ...env, CGO_ENABLED: '1', CGO_CFLAGS: spec.cgo.cflags, CGO_LDFLAGS: spec.cgo.ldflags, GOFLAGS: '-mod=mod' }
    : { ...env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
}

/**
 * Builds the spec's binaries into the cache unless a build with the same go.mod is already there.
 * The tools module's go.sum is seeded from the upstream modules' own go.sum files: the checksum database is
 * not reachable for every dependency here, and upstream's go.sum holds exactly the hashes its build list needs.
 */
export async function ensureGoTool(
  spec: GoToolSpec,
  progress: Progress,
  env = process.env,
): Promise<Record<string, string>> {
  const dir = toolDir(spec.name, spec.key, env);
  const paths = goToolPaths(spec, env);
  const stampFile = join(dir, 'stamp.json');
  const wanted = buildStamp(spec);
  const isBuilt = (): boolean =>
    existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted && Object.values(paths).every(existsSync);
  if (isBuilt()) return paths;
  mkdirSync(dir, { recursive: true });
  await withLock(join(dir, '.lock'), async () => {
    if (isBuilt()) return;
    const src = join(dir, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    const label = `${spec.name} ${spec.key}`;
    progress(
      `building ${label} from the Go module proxy${spec.cgo ? ' with cgo' : ''} (first time only, a few minutes)`,
    );
    const infos = new Map<GoToolPin, ModuleInfo>();
    for (const pin of spec.pins) infos.set(pin, await downloadModule(pin, env));
    const upstreamMods = spec.pins.map((p) =>
      spec.replacesFrom.includes(p) ? readFileSync(infos.get(p)!.GoMod, 'utf8') : '',
    );
    writeFileSync(join(src, 'go.mod'), renderToolsGoMod(spec.name, spec.pins, upstreamMods));
    writeFileSync(join(src, 'tools.go'), renderToolsGo(spec.pins));
    const sums = spec.pins
      .map((p) => join(infos.get(p)!.Dir, 'go.sum'))
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'));
    writeFileSync(
      join(src, 'go.sum'),
      [...new Set(sums.join('\n').split('\n').filter(Boolean))].sort().join('\n') + '\n',
    );
    const started = Date.now();
    const beat = setInterval(
      () => progress(`still building ${label} (${Math.round((Date.now() - started) / 1000)}s)`),
      30000,
    );
    const buildEnv = goBuildEnv(spec, env);
    try {
      for (const pin of spec.pins) {
        await exec('go', ['build', '-mod=mod', '-trimpath', '-o', paths[pin.binary], pin.package], {
          cwd: src,
          env: buildEnv,
        });
      }
    } finally {
      clearInterval(beat);
    }
    writeFileSync(stampFile, wanted);
    progress(`built ${label} in ${Math.round((Date.now() - started) / 1000)}s`);
  });
  return paths;
}

/** Where a pinned module's source sits in the Go module cache (for data it ships, such as CRDs). */
export async function moduleDir(
  pin: Pick<GoToolPin, 'module' | 'version'>,
  env = process.env,
  run: Exec = exec,
): Promise<string> {
  const info = await downloadModule(pin, env, run);
  if (!info.Dir) throw new Error(`go could not download ${pin.module}@${pin.version}: no Dir in its answer`);
  return info.Dir;
}
