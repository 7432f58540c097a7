import { spawn } from 'node:child_process';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called for each line of stdout+stderr, e.g. to show progress of a long build. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly output: string,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/** Runs a command to completion; the error names the command and carries the tail of its output. */
export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      out += text;
      if (!opts.onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach((l) => opts.onLine?.(l));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ` (is ${cmd} installed and on PATH?)` : '';
      reject(new ExecError(`${cmd} could not be started: ${err.message}${hint}`, null, out));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) return resolve(out);
      const tail = out.trim().split('\n').slice(-25).join('\n');
      const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new ExecError(`${cmd} ${args.join(' ')} ${why}:\n${tail}`, code, out));
    });
  });
}
