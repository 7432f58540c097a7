import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessRegistry } from './process-registry';

/** What every component launcher gets: where to write, who tracks its processes, where to say what it does. */
export interface RunContext {
  runId: string;
  runDir: string;
  logsDir: string;
  registry: ProcessRegistry;
  progress: (message: string) => void;
}

/** Runs this process has started: the second one in the same millisecond (useTopologies) needs its own name. */
let runsStarted = 0;

export function createRunContext(runsRoot: string, progress: (m: string) => void): RunContext {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  runsStarted++;
  const runId = runsStarted === 1 ? `${stamp}-${process.pid}` : `${stamp}-${process.pid}-${runsStarted}`;
  const runDir = join(runsRoot, runId);
  const logsDir = join(runDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  return { runId, runDir, logsDir, registry: new ProcessRegistry(runDir), progress };
}
