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

export function createRunContext(runsRoot: string, progress: (m: string) => void): RunContext {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runId = `${stamp}-${process.pid}`;
  const runDir = join(runsRoot, runId);
  const logsDir = join(runDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  return { runId, runDir, logsDir, registry: new ProcessRegistry(runDir), progress };
}
