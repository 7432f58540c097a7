/**
 * Components that died during a run. The process registry records every exit it did not ask for in the run's
 * folder (`deaths.jsonl`), so whoever holds only the run folder (a scenario file using the run's shared topology,
 * a failure report) can tell "still waiting" from "will never come", and say who died, how, and its log tail.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo } from './managed-process';

export interface Death extends ExitInfo {
  name: string;
  logFile: string;
  /** When the registry saw the exit (ISO time). */
  at: string;
}

const FILE = 'deaths.jsonl';
/** The folders of other runs whose components this run uses (the suite's shared control plane), one per line. */
const USES_FILE = 'uses-runs';

export function recordDeath(runDir: string, death: Death): void {
  appendFileSync(join(runDir, FILE), JSON.stringify(death) + '\n');
}

/**
 * Says that this run uses components of another run (a topology on the suite's shared etcd + kube-apiserver):
 * a death there is a death of this run too, so its checks fail at once naming that component.
 */
export function recordUsedRun(runDir: string, otherRunDir: string): void {
  writeFileSync(join(runDir, USES_FILE), `${otherRunDir}\n`, { flag: 'a' });
}

function usedRuns(runDir: string): string[] {
  try {
    return readFileSync(join(runDir, USES_FILE), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function ownDeaths(runDir: string): Death[] {
  const file = join(runDir, FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Death);
}

/** The run's deaths and those of the runs it uses, in the order they happened. */
export function deaths(runDir: string): Death[] {
  const all = [runDir, ...usedRuns(runDir)].flatMap(ownDeaths);
  return all.sort((a, b) => a.at.localeCompare(b.at));
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** "jaeger exited on SIGKILL at ..." with its log tail, for the first component that died; undefined if none. */
export function deathReport(runDir: string, lines = 8): string | undefined {
  const [first, ...more] = deaths(runDir);
  if (!first) return undefined;
  const how = first.signal ? `on ${first.signal}` : `with code ${first.code}`;
  const others = more.length ? ` (and then ${more.map((d) => d.name).join(', ')})` : '';
  return (
    `component ${first.name} died during the run: it exited ${how} at ${first.at}${others}\n` +
    `--- last ${lines} lines of ${first.logFile}\n${tail(first.logFile, lines)}`
  );
}

/** Throws the death report when a component of the run died: every later check of a file fails with that cause. */
export function throwIfDead(runDir: string): void {
  const dead = deathReport(runDir);
  if (dead) throw new Error(dead);
}
