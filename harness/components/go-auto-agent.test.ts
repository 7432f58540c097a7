import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfSectionNames, notInstrumentable, parseProbesOff } from './go-auto-agent';

/** A minimal ELF64 little-endian file with the given section names (enough for the section-name reader). */
function fakeElf(sections: string[]): string {
  const names = ['', ...sections, '.shstrtab'];
  const strtab = Buffer.from(names.join('\0') + '\0', 'latin1');
  const shentsize = 64;
  const strtabOff = 64;
  const shoff = strtabOff + strtab.length;
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(shentsize, 0x3a);
  header.writeUInt16LE(names.length, 0x3c);
  header.writeUInt16LE(names.length - 1, 0x3e);
  const shdrs = Buffer.alloc(shentsize * names.length);
  let nameOff = 0;
  names.forEach((n, i) => {
    shdrs.writeUInt32LE(nameOff, i * shentsize);
    nameOff += Buffer.byteLength(n, 'latin1') + 1;
  });
  const last = (names.length - 1) * shentsize;
  shdrs.writeBigUInt64LE(BigInt(strtabOff), last + 0x18);
  shdrs.writeBigUInt64LE(BigInt(strtab.length), last + 0x20);
  const file = join(mkdtempSync(join(tmpdir(), 'elf-')), 'epp');
  writeFileSync(file, Buffer.concat([header, strtab, shdrs]));
  return file;
}

describe('the agent target check', () => {
  it('reads section names', () => {
    expect(elfSectionNames(fakeElf(['.text', '.symtab', '.debug_info']))).toEqual([
      '',
      '.text',
      '.symtab',
      '.debug_info',
      '.shstrtab',
    ]);
  });

  it('accepts an unstripped binary', () => {
    expect(notInstrumentable(fakeElf(['.text', '.symtab', '.debug_info']))).toBeUndefined();
  });

  it('names a stripped binary and what it lacks', () => {
    const stripped = fakeElf(['.text', '.gopclntab']);
    expect(notInstrumentable(stripped)).toBe(
      `cannot instrument ${stripped}: it is stripped (no .symtab, .debug_info); the Go auto-instrumentation agent ` +
        'needs its symbols and DWARF: build it without -ldflags "-s -w"',
    );
    expect(notInstrumentable(fakeElf(['.text', '.symtab']))).toMatch(/stripped \(no \.debug_info\)/);
  });

  it('refuses what is not an ELF file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'elf-')), 'script');
    writeFileSync(file, '#!/bin/sh\n'.padEnd(64, ' '));
    expect(() => elfSectionNames(file)).toThrow(`${file} is not an ELF file`);
  });
});

describe('parseProbesOff', () => {
  it('reads the lines our agent main prints, and nothing else', () => {
    const log = [
      'probe off: go.opentelemetry.io/otel/trace client: writes span contexts; bpf_probe_write_user is refused under kernel lockdown "integrity"',
      '{"level":"INFO","msg":"target found"}',
      'probe off: google.golang.org/grpc client: injects traceparent',
    ].join('\n');
    expect(parseProbesOff(log)).toEqual([
      'go.opentelemetry.io/otel/trace client: writes span contexts; bpf_probe_write_user is refused under kernel lockdown "integrity"',
      'google.golang.org/grpc client: injects traceparent',
    ]);
    expect(parseProbesOff('')).toEqual([]);
  });
});
