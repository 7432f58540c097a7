import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { poll } from './poll';
import { isZombieOrGone, readProcStat } from './proc-stat';

export interface ProcessSpec {
  /** Component name, used in messages and log file names. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** What a stop sends first (SIGTERM unless said); SIGKILL follows after the grace period either way. */
  stopSignal?: 'SIGTERM' | 'SIGKILL';
  /**
   * Its working data, removed once it has exited, and by stop() before it resolves: a harness that exits right
   * after a stop would otherwise leave it behind (etcd's: 120 MB per run).
   */
  scratch?: readonly string[];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process in its own process group (so a stop also reaches what it spawned), with stdout and stderr
 * in one log file per component per run.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.removeScratch();
        resolve(this.exitInfo);
      });
    });
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      const proc = new ManagedProcess(spec, child);
      // A failed spawn (e.g. ENOENT) surfaces as an exit with no pid.
      child.on('error', (err) => {
        proc.spawnError = err;
        proc.exitInfo ??= { code: -1, signal: null };
      });
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  spawnError: Error | undefined;

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  isRunning(): boolean {
    return this.child.pid !== undefined && this.exitInfo === undefined && !this.stopped;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  describeExit(): string {
    if (this.spawnError) return `${this.name} could not be started: ${this.spawnError.message}`;
    const e = this.exitInfo;
    if (!e) return `${this.name} is running`;
    return `${this.name} exited ${e.signal ? `on ${e.signal}` : `with code ${e.code}`}`;
  }

  /** Whether someone asked it to stop: its exit is then expected, not a death to report. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  private stopping = false;
  /** stop() is done: exited, or out of user space with its exit still to be collected. */
  private stopped = false;

  /**
   * SIGTERM (or the spec's stopSignal) to the whole group, then SIGKILL after the grace period. Resolves once the
   * process is gone, or once it has left user space for good (a zombie whose threads the kernel is still tearing
   * down): then it runs none of its code any more, and what is left is the kernel's. The eBPF agent is the case:
   * releasing each of its ~40 uprobe links waits for an RCU grace period (synchronize_rcu_tasks_trace), about 4 s in
   * all on this kernel, during which it is a zombie; a stop that waited for that would hold every topology's stop for
   * nothing.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const pid = this.child.pid;
    if (pid === undefined || this.exitInfo) {
      killGroup(pid, 'SIGKILL'); // children of an exited leader may still be alive
      this.removeScratch();
      return;
    }
    killGroup(pid, this.spec.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    await Promise.race([this.exited, this.leftUserSpace(pid, graceMs)]);
    clearTimeout(timer);
    killGroup(pid, 'SIGKILL');
    // Out of user space, it writes nothing more: its files can go now, before its exit is collected.
    this.removeScratch();
    this.stopped = true;
  }

  private removeScratch(): void {
    for (const path of this.spec.scratch ?? []) rmSync(path, { recursive: true, force: true });
  }

  /** Resolves when the process is a zombie (exited, not reaped yet) or has exited; never rejects. */
  private async leftUserSpace(pid: number, graceMs: number): Promise<void> {
    await poll(
      async () => readProcStat(pid),
      (stat) => isZombieOrGone(stat),
      {
        // The grace period, then the teardown after a SIGKILL; the race with `exited` ends it sooner.
        timeoutMs: graceMs + 60000,
        intervalMs: 10,
        maxIntervalMs: 100,
        abortIf: () => (this.exitInfo ? 'exited' : undefined),
      },
      // Polling gave up (it exited, or it neither exits nor turns zombie): then its exit decides.
    ).catch(() => this.exited);
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
