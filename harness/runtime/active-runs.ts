import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from './poll';
import { killGroup } from './managed-process';
import { groupsWithLiveMembers, processAlive as alive } from './proc-stat';
import { removeRunScratch } from './run-scratch';

/** What `epp-e2e up` leaves in its run directory so `epp-e2e down` can find and stop it. */
export interface UpState {
  pid: number;
  runDir: string;
}

export function writeUpState(runDir: string): void {
  writeFileSync(join(runDir, 'up.json'), JSON.stringify({ pid: process.pid, runDir } satisfies UpState));
}

/**
 * Process groups of a run (from its pid file) that are still alive: with a member that is not a zombie. A zombie
 * runs nothing and holds no port; it waits for its parent, or for PID 1 once its parent is gone, to collect its exit
 * status (this machine's PID 1 does so about once a second), or for the kernel to finish tearing it down.
 */
export function groupsAlive(runDir: string): number[] {
  const file = join(runDir, 'pids');
  if (!existsSync(file)) return [];
  const pgids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  if (pgids.length === 0) return [];
  const live = groupsWithLiveMembers();
  return pgids.filter((pgid) => live.has(pgid));
}

export function activeRuns(runsRoot: string): UpState[] {
  if (!existsSync(runsRoot)) return [];
  return readdirSync(runsRoot)
    .map((d) => join(runsRoot, d, 'up.json'))
    .filter(existsSync)
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as UpState)
    .filter((s) => alive(s.pid) || groupsAlive(s.runDir).length > 0);
}

/**
 * Stops a run started by `up`: asks its `up` process to shut down (SIGTERM, the same path as Ctrl-C), waits for
 * it, then makes sure no process group of the run is left (SIGKILL to stragglers, e.g. after a crashed `up`).
 */
export async function stopRun(state: UpState, timeoutMs = 30000): Promise<{ killed: number }> {
  if (alive(state.pid)) process.kill(state.pid, 'SIGTERM');
  // Past the deadline it is killed below: the timeout is not an error here.
  await poll(
    async () => alive(state.pid),
    (a) => !a,
    { timeoutMs, maxIntervalMs: 100 },
  ).catch(() => undefined);
  const left = groupsAlive(state.runDir);
  for (const pid of left) killGroup(pid, 'SIGKILL');
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  // A crashed `up` left its processes' scratch data; a clean one removed it already.
  removeRunScratch(state.runDir);
  return { killed: left.length };
}
