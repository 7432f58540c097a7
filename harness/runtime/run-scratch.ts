import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * The run folder's list of its processes' scratch data (etcd's 120 MB of WAL per run), beside the pid file: for
 * whoever cleans up after a harness that could not (the reaper after a kill -9, `down` after a crashed `up`).
 */
export const SCRATCH_FILE = 'scratch';

export function writeRunScratch(runDir: string, paths: readonly string[]): void {
  writeFileSync(join(runDir, SCRATCH_FILE), paths.map((p) => p + '\n').join(''));
}

/** Removes the scratch data the run folder lists; only what lies inside that folder, whatever the file says. */
export function removeRunScratch(runDir: string): void {
  const file = join(runDir, SCRATCH_FILE);
  if (!existsSync(file)) return;
  for (const path of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    if (insideRunDir(runDir, path)) rmSync(path, { recursive: true, force: true });
  }
}

export function insideRunDir(runDir: string, path: string): boolean {
  const rel = relative(resolve(runDir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}
