import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GoToolSpec, Progress } from './build-go-tool';
import { ensureGoTool, goToolPaths, moduleDir } from './build-go-tool';
import type { GoToolPin, Versions } from './versions';

/** The operator manager at one release as a Go tool (cache tools/operator/<version>/bin/manager). */
export function operatorSpec(v: Versions, version: string): GoToolSpec {
  const { module, package: pkg, binary } = v.operatorManager;
  const pin: GoToolPin = { module, version, package: pkg, binary };
  return { name: 'operator', key: version, pins: [pin], replacesFrom: [pin] };
}

/** The two operator releases the harness builds: the pinned one and the upgrade check's `--from`. */
export function operatorVersions(v: Versions): string[] {
  return [v.kind.operator.default, v.kind.operator.previous];
}

export function operatorPath(v: Versions, version: string, env: NodeJS.ProcessEnv = process.env): string {
  return Object.values(goToolPaths(operatorSpec(v, version), env))[0];
}

export async function ensureOperator(
  v: Versions,
  version: string,
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return Object.values(await ensureGoTool(operatorSpec(v, version), progress, env))[0];
}

/** versions.txt of the operator module: `name=version` lines, `#` comments. */
export function parseOperatorVersionsTxt(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.-]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out[m[1]] = m[2];
  }
  return out;
}

/** The operator module's source (CRDs, versions.txt) at one release, from the Go module cache. */
export async function operatorModuleDir(v: Versions, version: string, env = process.env): Promise<string> {
  return moduleDir({ module: v.operatorManager.module, version }, env);
}

/** The Go auto-instrumentation version an operator release's default image carries (its versions.txt). */
export function goAutoVersionOf(operatorDir: string): string {
  const file = join(operatorDir, 'versions.txt');
  const version = parseOperatorVersionsTxt(readFileSync(file, 'utf8'))['autoinstrumentation-go'];
  if (!version) throw new Error(`${file} names no autoinstrumentation-go version`);
  return version;
}

/**
 * The image the release build would have made the operator's Go default (its Makefile stamps it with ldflags
 * from versions.txt); our plain build gets it as --auto-instrumentation-go-image so the injected sidecar
 * names the same image a user of that release sees.
 */
export function operatorGoImage(v: Versions, operatorDir: string): string {
  return `${v.operatorManager.goImage}:${goAutoVersionOf(operatorDir)}`;
}
