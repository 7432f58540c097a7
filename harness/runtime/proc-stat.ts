import { readFileSync, readdirSync } from 'node:fs';

/** What the harness reads of a process in /proc/<pid>/stat. */
export interface ProcStat {
  /** R, S, D, Z (a zombie: exited, its exit status not collected yet), ... */
  state: string;
  pgrp: number;
}

/** /proc/<pid>/stat's state and process group; undefined when there is no such process. */
export function readProcStat(pid: number | string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm is whatever the executable is called, spaces and parentheses included,
  // so the fields are read after the last ')'.
  const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, pgrp: Number(pgrp) };
}

/** Whether a process exists (one of another user's, which we may not signal, too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process has left user space for good: a zombie, or gone. */
export function isZombieOrGone(stat: ProcStat | undefined): boolean {
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

/** The process groups of this machine that have a member that is not a zombie. */
export function groupsWithLiveMembers(): Set<number> {
  const groups = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(entry);
    if (!isZombieOrGone(stat)) groups.add(stat!.pgrp);
  }
  return groups;
}
