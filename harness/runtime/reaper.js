// The reaper: a detached watchdog that outlives the harness on purpose. When the harness process is gone
// (killed, crashed, or exited without cleaning up), it kills every process group listed in the pid file.
// Plain JavaScript so it starts in milliseconds without a TypeScript loader.
'use strict';
const { readFileSync } = require('node:fs');

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
}

// Polling is the only portable way to learn that an unrelated process has died.
const timer = setInterval(() => {
  if (!alive(parentPid)) {
    clearInterval(timer);
    reap();
    process.exit(0);
  }
}, 500);
