// The reaper: a detached watchdog that outlives the harness on purpose. When the harness process is gone
// (killed, crashed, or exited without cleaning up), it kills every process group listed in the pid file and removes
// the scratch data the run folder lists (run-scratch.ts; the same rule: only inside the run folder).
// Plain JavaScript so it starts in milliseconds without a TypeScript loader.
'use strict';
const { readFileSync, rmSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const parentPid = Number(process.argv[2]);
const pidFile = process.argv[3];

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reap() {
  let pids = [];
  try {
    pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    // no pid file: nothing was started
  }
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  removeScratch(dirname(pidFile));
}

function removeScratch(runDir) {
  let paths = [];
  try {
    paths = readFileSync(join(runDir, 'scratch'), 'utf8').split('\n').filter(Boolean);
  } catch {
    // none listed
  }
  for (const path of paths) {
    const rel = relative(resolve(runDir), resolve(path));
    if (rel !== '' && !rel.startsWith('..') && !rel.startsWith('/')) rmSync(path, { recursive: true, force: true });
  }
}

function parentGone() {
  reap();
  process.exit(0);
}

// The harness holds the write end of our stdin and never writes: the kernel closes it when the harness dies, however
// it dies (kill -9 included), so the end of stdin says so at once.
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();

// A fallback for a reaper whose stdin is not that pipe (started by hand): polling, the portable way to learn that an
// unrelated process has died.
setInterval(() => {
  if (!alive(parentPid)) parentGone();
}, 500);
