import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, processState } from './managed-process';
import { poll } from './poll';

describe('managed processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-process-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a process's state after its name, even a name with parentheses and spaces in it", async () => {
    // /proc/<pid>/stat is "pid (comm) S ...", and comm is whatever the executable is called.
    const odd = join(dir, 'a) Z (b');
    copyFileSync('/bin/sleep', odd);
    const proc = ManagedProcess.start({ name: 'odd', command: odd, args: ['30'], logFile: join(dir, 'odd.log') });
    // Running, then asleep in sleep(1): read through the odd name each time.
    await poll(
      async () => processState(proc.pid!),
      (state) => state === 'S' || `state ${state}`,
      { timeoutMs: 5000 },
    );
    await proc.stop(1000);
    // Stopped means out of user space: a zombie not reaped yet, or gone.
    expect(['Z', undefined]).toContain(processState(proc.pid!));
    await proc.exited;
    expect(processState(proc.pid!)).toBeUndefined();
  });

  it('stops a process that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const proc = ManagedProcess.start({
      name: 'stubborn',
      command: 'bash',
      args: ['-c', 'trap "" TERM; echo trapped; while :; do sleep 0.05; done'],
      logFile: join(dir, 'stubborn.log'),
    });
    await poll(
      async () => readFileSync(join(dir, 'stubborn.log'), 'utf8'),
      (log) => log.includes('trapped') || 'no trap yet',
      { timeoutMs: 5000 },
    );
    const t0 = Date.now();
    await proc.stop(300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(proc.exit?.signal).toBe('SIGKILL');
  });
});
