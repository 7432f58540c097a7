import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { groupsWithLiveMembers, readProcStat } from './proc-stat';
import { poll } from './poll';

describe('managed processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-process-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a process's state and group after its name, even a name with parentheses in it; stopped is out of user space", async () => {
    // /proc/<pid>/stat is "pid (comm) S ...", and comm is whatever the executable is called.
    const odd = join(dir, 'a) Z (b');
    copyFileSync('/bin/sleep', odd);
    const proc = ManagedProcess.start({ name: 'odd', command: odd, args: ['30'], logFile: join(dir, 'odd.log') });
    // Running, then asleep in sleep(1): read through the odd name each time.
    await poll(
      async () => readProcStat(proc.pid!),
      (stat) => stat?.state === 'S' || `state ${stat?.state}`,
      { timeoutMs: 5000 },
    );
    // Its own group (a managed process leads one), with a member that is not a zombie.
    expect(readProcStat(proc.pid!)?.pgrp).toBe(proc.pid);
    expect(groupsWithLiveMembers().has(proc.pid!)).toBe(true);
    await proc.stop(1000);
    // Stopped means out of user space: a zombie not reaped yet, or gone.
    expect(['Z', undefined]).toContain(readProcStat(proc.pid!)?.state);
    expect(groupsWithLiveMembers().has(proc.pid!)).toBe(false);
    await proc.exited;
    expect(readProcStat(proc.pid!)).toBeUndefined();
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
