import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deathReport, deaths, recordDeath, recordUsedRun, throwIfDead } from './deaths';
import { componentPid, ProcessRegistry } from './process-registry';
import { poll } from './poll';

describe('deaths of a run', () => {
  it('records an exit nobody asked for, with code, log tail and name; a stop is not a death', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'deaths-'));
    const registry = new ProcessRegistry(runDir);
    const log = (name: string): string => join(runDir, `${name}.log`);
    const steady = registry.start({ name: 'steady', command: 'sleep', args: ['30'], logFile: log('steady') });
    registry.start({ name: 'crasher', command: 'sh', args: ['-c', 'echo boom; exit 3'], logFile: log('crasher') });
    expect(componentPid(runDir, 'steady')).toBe(steady.pid);
    await poll(
      async () => deaths(runDir),
      (d) => d.length > 0 || 'no death yet',
      { timeoutMs: 10000 },
    );
    expect(deathReport(runDir)).toMatch(
      new RegExp(
        `^component crasher died during the run: it exited with code 3 at .*\\n--- last 8 lines of ${log('crasher')}\\nboom$`,
      ),
    );
    expect(() => throwIfDead(runDir)).toThrow('component crasher died during the run');
    await registry.stopAll();
    expect(deaths(runDir).map((d) => d.name)).toEqual(['crasher']);
  });

  it('has nothing to say about a run where nothing died', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'deaths-'));
    expect(deathReport(runDir)).toBeUndefined();
    expect(() => throwIfDead(runDir)).not.toThrow();
    expect(() => componentPid(runDir, 'x')).toThrow();
  });

  it("counts a death in a run it uses (the suite's shared control plane) as its own", () => {
    const controlPlane = mkdtempSync(join(tmpdir(), 'deaths-cp-'));
    const topology = mkdtempSync(join(tmpdir(), 'deaths-topology-'));
    const other = mkdtempSync(join(tmpdir(), 'deaths-other-'));
    recordUsedRun(topology, controlPlane);
    expect(() => throwIfDead(topology)).not.toThrow();
    const at = new Date().toISOString();
    recordDeath(controlPlane, {
      name: 'kube-apiserver',
      logFile: join(controlPlane, 'x.log'),
      at,
      code: null,
      signal: 'SIGKILL',
    });
    expect(() => throwIfDead(topology)).toThrow(/^component kube-apiserver died during the run: it exited on SIGKILL/);
    // Only the runs named: another topology's death is not this one's.
    recordDeath(other, { name: 'epp', logFile: join(other, 'x.log'), at, code: 1, signal: null });
    expect(deaths(topology).map((d) => d.name)).toEqual(['kube-apiserver']);
    expect(deaths(controlPlane).map((d) => d.name)).toEqual(['kube-apiserver']);
  });
});
