import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, listenPortRange } from './ports';

describe('listening ports', () => {
  it('are picked below the kernel ephemeral range, where outgoing connections cannot take them first', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ports-')), 'range');
    writeFileSync(file, '32768\t60999\n');
    expect(listenPortRange(file)).toEqual([20767, 32767]);
    writeFileSync(file, '10000\t65000\n');
    expect(listenPortRange(file)).toEqual([1025, 9999]);
    expect(listenPortRange(join(tmpdir(), 'no-such-file'))).toEqual([20767, 32767]);
  });

  it('are distinct and free, all in the range', async () => {
    const ports = await freePorts(20, [21000, 21100]);
    expect(new Set(ports).size).toBe(20);
    expect(ports.every((p) => p >= 21000 && p <= 21100)).toBe(true);
  });
});
