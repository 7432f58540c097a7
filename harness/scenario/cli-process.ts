import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../tools/versions';
import { groupsAlive } from '../runtime/active-runs';

/** A node process in the checkout, e.g. a harness script that must run outside Jest's module system. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The `epp-e2e` command as a user runs it, for tests of the CLI itself. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawnNode([join(REPO_ROOT, 'bin', 'epp-e2e.js'), ...args], env);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runNode([join(REPO_ROOT, 'bin', 'epp-e2e.js'), ...args], env);
}

export function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawnNode(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the first stdout line of `up --json` (printed once everything is ready). */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no output after ${timeoutMs / 1000}s; stderr:\n${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`epp-e2e exited with ${code} before it was ready; stderr:\n${err}`));
    });
  });
}

/** Process groups of a run still alive, from the pid file the run keeps beside its logs. */
export function liveGroups(logsDir: string): number[] {
  return groupsAlive(dirname(logsDir));
}
