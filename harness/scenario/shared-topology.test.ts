import { resolveRunOptions } from '../config/run-options';
import { loadVersions } from '../tools/versions';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awaitSharedRecord,
  canShare,
  holdSharedTopology,
  sharedRecordFile,
  writeSharedRecord,
  type SharedRecord,
} from './shared-topology';

const v = loadVersions();
const opts = (raw: Parameters<typeof resolveRunOptions>[0], env: NodeJS.ProcessEnv = {}) =>
  resolveRunOptions(raw, env, v);

describe('sharing one topology between scenario files', () => {
  const shared = opts({});

  it('shares when only fewer (or as many) model servers are asked for', () => {
    expect(canShare(opts({ models: 2 }), shared)).toBe(true);
    expect(canShare(opts({ models: 1 }), shared)).toBe(true);
    expect(canShare(opts({ models: 1, eppVersion: v.epp.default }), shared)).toBe(true);
    expect(canShare(opts({ eppResourceAttributes: 'component=endpoint-picker' }), shared)).toBe(true);
  });

  it('compares with the shared options as the files read them back (JSON, where undefined keys vanish)', () => {
    const fromFile = JSON.parse(JSON.stringify(shared));
    expect('eppOtlpEndpoint' in opts({})).toBe(true);
    expect(canShare(opts({ models: 1 }), fromFile)).toBe(true);
    expect(canShare(opts({ eppSamplerArg: '0.5' }), fromFile)).toBe(false);
  });

  it('isolates every file that changes anything the EPP, the mocks or the exporters see', () => {
    expect(canShare(opts({ models: 3 }), shared)).toBe(false);
    expect(canShare(opts({ eppSamplerArg: '0.5' }), shared)).toBe(false);
    expect(canShare(opts({ eppSampler: 'always_on' }), shared)).toBe(false);
    expect(canShare(opts({ eppOtlpEndpoint: 'http://127.0.0.1:1' }), shared)).toBe(false);
    expect(canShare(opts({ eppResourceAttributes: '' }), shared)).toBe(false);
    expect(canShare(opts({ eppVersion: 'gie-v1.4.0' }), shared)).toBe(false);
    expect(canShare(opts({ faults: ['mock-vllm:no-spans'] }), shared)).toBe(false);
  });

  it('never shares on kind (each file brings its namespace up in the run’s one cluster)', () => {
    const kind = opts({ topology: 'kind' });
    expect(canShare(kind, kind)).toBe(false);
  });
});

describe('holding the shared topology', () => {
  const record = (): SharedRecord =>
    ({ endpoints: { runDir: mkdtempSync(join(tmpdir(), 'shared-')) }, options: {} }) as unknown as SharedRecord;

  it('lets one file at a time use it; the next waits until the first releases it', async () => {
    const r = record();
    const told: string[] = [];
    const releaseA = await holdSharedTopology(r, 'a.e2e.ts', (m) => told.push(m));
    let bHolds = false;
    const b = holdSharedTopology(r, 'b.e2e.ts', (m) => told.push(m)).then((rel) => {
      bHolds = true;
      return rel;
    });
    await new Promise((res) => setTimeout(res, 150));
    expect(bHolds).toBe(false);
    expect(told).toEqual(['b.e2e.ts: waiting for the shared topology (a.e2e.ts is using it)']);
    releaseA();
    (await b)();
    expect(bHolds).toBe(true);
  });

  it('takes over the lock of a holder that died (kill -9)', async () => {
    const r = record();
    // A pid no process has: beyond the kernel's pid_max default.
    writeFileSync(join(r.endpoints.runDir, 'shared-topology.lock'), JSON.stringify({ pid: 2 ** 30, file: 'x' }));
    const release = await holdSharedTopology(r, 'c.e2e.ts', () => undefined);
    release();
  });
});

describe('the shared topology started in the background', () => {
  it('is waited for by the files that share it, and its start failure is theirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shared-'));
    const file = sharedRecordFile(dir);
    const env = { EPP_E2E_SHARED_TOPOLOGY_FILE: file };
    const told: string[] = [];
    const waiting = awaitSharedRecord((m) => told.push(m), env);
    setTimeout(
      () => writeSharedRecord(file, { endpoints: { runDir: dir }, options: {} } as unknown as SharedRecord),
      50,
    );
    expect((await waiting).endpoints.runDir).toBe(dir);
    expect(told).toEqual([`waiting for the shared topology to come up (${file})`]);

    writeSharedRecord(file, { error: 'kube-apiserver /readyz: timed out' });
    await expect(awaitSharedRecord(() => undefined, env)).rejects.toThrow(
      'the shared topology did not start: kube-apiserver /readyz: timed out',
    );
  });
});
