import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordDeath } from './deaths';
import type { Socket } from 'node:net';
import { killGroup, ManagedProcess, type ProcessSpec } from './managed-process';
import { removeRunScratch, writeRunScratch } from './run-scratch';

const PROCESSES_FILE = 'processes.json';

/** The pid of a running component of a run, by name (from the run folder). */
export function componentPid(runDir: string, name: string): number {
  const named = JSON.parse(readFileSync(join(runDir, PROCESSES_FILE), 'utf8')) as Record<string, number>;
  const pid = named[name];
  if (pid === undefined)
    throw new Error(`no component "${name}" in ${runDir}; components: ${Object.keys(named).join(', ')}`);
  return pid;
}

/**
 * Everything one run started. Three layers make sure nothing outlives the run:
 * 1. `stopAll()` on the normal path (reverse start order);
 * 2. a synchronous SIGKILL of every group on this process's `exit`, which also covers Ctrl-C through
 *    the signal handlers installed by `installSignalHandlers`;
 * 3. a detached reaper process that kills the groups listed in the pid file once this process is gone,
 *    which covers `kill -9` of the harness and a crash of a jest worker.
 */
export class ProcessRegistry {
  private readonly procs: ManagedProcess[] = [];
  private readonly pidFile: string;
  private reaperStarted = false;
  private readonly onExit = (): void => this.killAllNow();

  constructor(private readonly runDir: string) {
    this.pidFile = join(runDir, 'pids');
    process.on('exit', this.onExit);
  }

  start(spec: ProcessSpec): ManagedProcess {
    this.ensureReaper();
    const proc = ManagedProcess.start(spec);
    this.procs.push(proc);
    this.writePidFile();
    // An exit nobody asked for is a death: recorded at once, so every wait of the run can stop on it.
    void proc.exited.then((exit) => {
      if (!proc.stopRequested && !this.stopping) {
        recordDeath(this.runDir, { name: proc.name, ...exit, logFile: spec.logFile, at: new Date().toISOString() });
      }
    });
    return proc;
  }

  private stopping = false;

  get processes(): readonly ManagedProcess[] {
    return this.procs;
  }

  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const proc of [...this.procs].reverse()) await proc.stop(graceMs);
    this.procs.length = 0;
    this.writePidFile();
    process.off('exit', this.onExit);
  }

  /** This process's `exit`: only synchronous work runs there. Their scratch data goes with them. */
  killAllNow(): void {
    for (const proc of this.procs) killGroup(proc.pid, 'SIGKILL');
    removeRunScratch(this.runDir);
  }

  private writePidFile(): void {
    const pids = this.procs.map((p) => p.pid).filter((p): p is number => p !== undefined);
    writeFileSync(this.pidFile, pids.join('\n') + '\n');
    // The same with names, for whoever holds only the run folder (a scenario that kills a component on purpose).
    const named = Object.fromEntries(this.procs.filter((p) => p.pid !== undefined).map((p) => [p.name, p.pid]));
    writeFileSync(join(this.runDir, PROCESSES_FILE), JSON.stringify(named, null, 2) + '\n');
    writeRunScratch(
      this.runDir,
      this.procs.flatMap((p) => p.spec.scratch ?? []),
    );
  }

  private ensureReaper(): void {
    if (this.reaperStarted) return;
    this.reaperStarted = true;
    // Its stdin is a pipe we hold and never write to: when this process dies, the kernel closes our end and the
    // reaper sees the end of its input at once (see reaper.js).
    const reaper = spawn(process.execPath, [join(__dirname, 'reaper.js'), String(process.pid), this.pidFile], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    reaper.unref();
    (reaper.stdin as Socket).unref();
  }
}

/** Ctrl-C / SIGTERM: stop cleanly, and exit with the conventional code once everything is down. */
export function installSignalHandlers(stop: () => Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping every process of this run...\n`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
