import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { RunOptions } from '../config/run-options';
import { poll } from '../runtime/poll';
import { processAlive as alive } from '../runtime/proc-stat';
import { TOPOLOGY_CAPABILITIES, type Capability, type Endpoints, type Topology } from '../topology/types';
import { awaitHandoff, handoffFile, writeHandoff, type Handoff } from './handoff';

/** Set (to 1) by `make e2e` and `epp-e2e run`: start one topology for every scenario file that can share it. */
export const SHARE_FLAG = 'EPP_E2E_SHARE_TOPOLOGY';
/** Set by the global setup: where the shared topology's endpoints and options are. */
export const SHARED_FILE = 'EPP_E2E_SHARED_TOPOLOGY_FILE';

export interface SharedRecord {
  endpoints: Endpoints;
  options: RunOptions;
}

/** Where the shared topology's record will be, named before it starts (the files learn it from the environment). */
export function sharedRecordFile(runsRoot: string): string {
  return handoffFile(runsRoot, 'shared-topology');
}

/** Written when the shared topology is up (its endpoints), or when its start failed (why). */
export function writeSharedRecord(file: string, record: Handoff<SharedRecord>): void {
  writeHandoff(file, record);
}

/**
 * Whether a file's options can use the shared topology: the same in everything (EPP version, sampler,
 * exporter, faults...) except that it may ask for fewer model servers. A file that changes anything else
 * (sampling, exporter faults, another EPP, a negative control's bad config) gets its own topology.
 */
export function canShare(wanted: RunOptions, shared: RunOptions): boolean {
  if (wanted.topology !== 'local' || wanted.models > shared.models) return false;
  // Both as JSON: the shared options come from a file, where a key whose value is undefined does not exist.
  const plain = (o: RunOptions): unknown => JSON.parse(JSON.stringify(o));
  return isDeepStrictEqual(plain({ ...wanted, models: shared.models, runsRoot: shared.runsRoot }), plain(shared));
}

/** A file's view of the shared topology: the same endpoints; stopping it is the global teardown's job. */
export class SharedTopologyView implements Topology {
  readonly name: 'local' | 'kind';
  readonly endpoints: Endpoints;
  readonly capabilities: ReadonlySet<Capability>;

  constructor(record: SharedRecord) {
    this.endpoints = record.endpoints;
    this.name = record.endpoints.topology;
    this.capabilities = new Set(TOPOLOGY_CAPABILITIES[this.name]);
  }

  /** Local processes write their logs as they run: `<logsDir>/<component>.log`. */
  async collectLogs(): Promise<Record<string, string>> {
    const dir = this.endpoints.logsDir;
    return Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => [basename(f, '.log'), join(dir, f)]),
    );
  }

  async stop(): Promise<void> {
    // Shared: the global teardown stops it after the last file.
  }
}

/** Whether this run shares a topology (the global setup is starting or started one). */
export function sharedRecordExpected(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[SHARED_FILE]);
}

/**
 * The shared topology's record, once it is up: the global setup starts it in the background, so the files that
 * start their own topologies need not wait for it. Throws the start's own error when it failed.
 */
export async function awaitSharedRecord(
  progress: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SharedRecord> {
  const file = env[SHARED_FILE];
  if (!file) throw new Error('this run shares no topology');
  return awaitHandoff<SharedRecord>(file, 'the shared topology', progress);
}

/** Who uses the shared topology now: one scenario file at a time. */
interface SharedLock {
  pid: number;
  file: string;
}

/**
 * Waits until no other scenario file uses the shared topology, then holds it until the returned release is
 * called. Files run in parallel (jest workers), and a file on the shared topology switches faults on its mocks and
 * counts its EPP traces since a moment: two files at once would see each other's. A holder that died (kill -9)
 * leaves a lock whose pid is gone; that lock is taken over.
 */
export async function holdSharedTopology(
  record: SharedRecord,
  file: string,
  progress: (m: string) => void,
): Promise<() => void> {
  const lockFile = join(record.endpoints.runDir, 'shared-topology.lock');
  const mine: SharedLock = { pid: process.pid, file };
  let told = false;
  await poll(
    async () => {
      try {
        writeFileSync(lockFile, JSON.stringify(mine), { flag: 'wx' });
        return undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let other: SharedLock;
      try {
        other = JSON.parse(readFileSync(lockFile, 'utf8')) as SharedLock;
      } catch {
        return 'the lock is being written'; // created, not yet filled: read it again
      }
      if (!alive(other.pid)) {
        rmSync(lockFile, { force: true });
        return `its holder ${other.file} (pid ${other.pid}) is gone`;
      }
      if (!told) progress(`${file}: waiting for the shared topology (${other.file} is using it)`);
      told = true;
      return `in use by ${other.file} (pid ${other.pid})`;
    },
    (v) => v === undefined || v,
    // Files take turns: the next one should not idle for half a second after the last let go (a file read a try).
    { timeoutMs: 30 * 60000, intervalMs: 100, maxIntervalMs: 100 },
  );
  return () => {
    try {
      const held = JSON.parse(readFileSync(lockFile, 'utf8')) as SharedLock;
      if (held.pid === process.pid) rmSync(lockFile, { force: true });
    } catch {
      // Gone already (the run's folder was removed with the topology).
    }
  };
}
