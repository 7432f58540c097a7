import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insideRunDir, removeRunScratch, writeRunScratch } from './run-scratch';

describe('run scratch data', () => {
  it('is inside the run folder only when strictly below it', () => {
    expect(insideRunDir('/runs/r1', '/runs/r1/etcd')).toBe(true);
    expect(insideRunDir('/runs/r1', '/runs/r1/a/../etcd')).toBe(true);
    expect(insideRunDir('/runs/r1', '/runs/r1')).toBe(false);
    expect(insideRunDir('/runs/r1', '/runs/r1/..')).toBe(false);
    expect(insideRunDir('/runs/r1', '/runs/r2/etcd')).toBe(false);
    expect(insideRunDir('/runs/r1', '/runs/r10/etcd')).toBe(false);
    expect(insideRunDir('/runs/r1', '/')).toBe(false);
  });

  it('removes what the run folder lists inside it, and nothing outside, whatever the list says', () => {
    const root = mkdtempSync(join(tmpdir(), 'run-scratch-'));
    const runDir = join(root, 'run');
    const outside = join(root, 'precious');
    for (const d of [join(runDir, 'etcd', 'member'), join(runDir, 'logs'), outside]) mkdirSync(d, { recursive: true });
    writeFileSync(join(runDir, 'etcd', 'member', 'wal'), 'x');
    writeRunScratch(runDir, [join(runDir, 'etcd'), outside, join(runDir, '..', 'precious'), runDir]);
    removeRunScratch(runDir);
    expect(existsSync(join(runDir, 'etcd'))).toBe(false);
    expect(existsSync(join(runDir, 'logs'))).toBe(true);
    expect(existsSync(outside)).toBe(true);
  });

  it('does nothing for a run folder without a list', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'run-scratch-'));
    expect(() => removeRunScratch(runDir)).not.toThrow();
  });
});
