import { deflateSync } from 'node:zlib';
import { uncompressedDebugSections } from './agent-target';

const SHF_ALLOC = 0x2n;
const SHF_EXECINSTR = 0x4n;
const SHF_COMPRESSED = 0x800n;

interface FakeSection {
  name: string;
  flags: bigint;
  data: Buffer;
}

/** A minimal ELF64 file laid out as Go lays its binaries out: headers first, then the sections. */
function fakeElf(sections: FakeSection[]): Buffer {
  const names = Buffer.from(['', ...sections.map((s) => s.name), '.shstrtab'].join('\0') + '\0');
  const nameOffset = (i: number): number =>
    ['', ...sections.map((s) => s.name)].slice(0, i).reduce((n, s) => n + s.length + 1, 0);
  const shnum = sections.length + 2;
  const shoff = 64;
  let offset = shoff + 64 * shnum;
  const headers = Buffer.alloc(64 * shnum);
  const body: Buffer[] = [];
  [...sections, { name: '.shstrtab', flags: 0n, data: names }].forEach((s, i) => {
    const h = (i + 1) * 64;
    headers.writeUInt32LE(nameOffset(i + 1), h);
    headers.writeUInt32LE(1, h + 4);
    headers.writeBigUInt64LE(s.flags, h + 0x08);
    headers.writeBigUInt64LE(BigInt(offset), h + 0x18);
    headers.writeBigUInt64LE(BigInt(s.data.length), h + 0x20);
    headers.writeBigUInt64LE(1n, h + 0x30);
    body.push(s.data);
    offset += s.data.length;
  });
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(BigInt(shoff), 0x28);
  elf.writeUInt16LE(64, 0x3a);
  elf.writeUInt16LE(shnum, 0x3c);
  elf.writeUInt16LE(shnum - 1, 0x3e);
  return Buffer.concat([elf, headers, ...body]);
}

function compressed(data: Buffer, align = 1n): Buffer {
  const chdr = Buffer.alloc(24);
  chdr.writeUInt32LE(1, 0);
  chdr.writeBigUInt64LE(BigInt(data.length), 8);
  chdr.writeBigUInt64LE(align, 16);
  return Buffer.concat([chdr, deflateSync(data)]);
}

/** Section `name` of an ELF64 file as its section headers describe it. */
function section(elf: Buffer, name: string): { flags: bigint; data: Buffer; offset: number } {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shnum = elf.readUInt16LE(0x3c);
  const strHeader = shoff + elf.readUInt16LE(0x3e) * 64;
  const strtab = elf.subarray(Number(elf.readBigUInt64LE(strHeader + 0x18)));
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    const nameAt = elf.readUInt32LE(h);
    if (strtab.toString('latin1', nameAt, strtab.indexOf(0, nameAt)) !== name) continue;
    const offset = Number(elf.readBigUInt64LE(h + 0x18));
    return {
      flags: elf.readBigUInt64LE(h + 0x08),
      data: elf.subarray(offset, offset + Number(elf.readBigUInt64LE(h + 0x20))),
      offset,
    };
  }
  throw new Error(`no section ${name}`);
}

describe('uncompressedDebugSections', () => {
  const text = Buffer.from('the code, which must not move');
  const info = Buffer.from('DWARF '.repeat(500));
  const line = Buffer.from('lines '.repeat(300));
  const original = fakeElf([
    { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: text },
    { name: '.debug_info', flags: SHF_COMPRESSED, data: compressed(info, 8n) },
    { name: '.debug_line', flags: SHF_COMPRESSED, data: compressed(line) },
  ]);

  it('inflates every compressed section and leaves the rest of the file as it was', () => {
    const copy = uncompressedDebugSections(original)!;
    const got = (name: string): { flags: bigint; data: Buffer } => {
      const { flags, data } = section(copy, name);
      return { flags, data };
    };
    expect(got('.debug_info')).toEqual({ flags: 0n, data: info });
    expect(got('.debug_line')).toEqual({ flags: 0n, data: line });
    expect(got('.text')).toEqual({ flags: SHF_ALLOC | SHF_EXECINSTR, data: text });
    expect(section(copy, '.text').offset).toBe(section(original, '.text').offset);
    // The alignment its compression header asked for.
    expect(section(copy, '.debug_info').offset % 8).toBe(0);
  });

  it('changes no byte of the original but the section header offset: the same program, extended', () => {
    const copy = uncompressedDebugSections(original)!;
    const differing = [...original.keys()].filter((i) => original[i] !== copy[i]);
    expect(differing.every((i) => i >= 0x28 && i < 0x30)).toBe(true);
    expect(differing.length).toBeGreaterThan(0);
  });

  it('has nothing to do for a binary without compressed sections', () => {
    expect(uncompressedDebugSections(fakeElf([{ name: '.debug_info', flags: 0n, data: info }]))).toBeUndefined();
  });

  it('refuses what it cannot rewrite faithfully: a compressed loadable section, a compression other than zlib', () => {
    expect(() =>
      uncompressedDebugSections(fakeElf([{ name: '.x', flags: SHF_ALLOC | SHF_COMPRESSED, data: compressed(info) }])),
    ).toThrow('compressed and loaded');
    const zstd = compressed(info);
    zstd.writeUInt32LE(2, 0);
    expect(() => uncompressedDebugSections(fakeElf([{ name: '.y', flags: SHF_COMPRESSED, data: zstd }]))).toThrow(
      'not zlib',
    );
  });
});
