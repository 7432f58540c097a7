/**
 * Components that died during a run. The process registry records every exit it did not ask for in the run's
 * folder (`deaths.jsonl`), so whoever holds only the run folder (a scenario file using the run's shared topology,
 * a failure report) can tell "still waiting" from "will never come", and say who died, how, and its log tail.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo } from './managed-process';

export interface Death extends ExitInfo {
  name: string;
  logFile: string;
  /** When the registry saw the exit (ISO time). */
  at: string;
}

const FILE = 'deaths.jsonl';

export function recordDeath(runDir: string, death: Death): void {
  appendFileSync(join(runDir, FILE), JSON.stringify(death) + '\n');
}

export function deaths(runDir: string): Death[] {
  const file = join(runDir, FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Death);
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
