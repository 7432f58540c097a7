import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Progress } from './build-go-tool';
import { toolDir } from './cache';
import { withLock } from './lock';

const SHF_ALLOC = 0x2n;
const SHF_COMPRESSED = 0x800n;
const ELFCOMPRESS_ZLIB = 1;
const E_SHOFF = 0x28;
/** Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign. */
const CHDR_SIZE = 24;
/** Part of the cache key: a change to how the copy is made makes new copies. */
const FORMAT = 'v1';

interface Section {
  index: number;
  offset: number;
  size: number;
  flags: bigint;
}

function elf64(bytes: Buffer): { shoff: number; shentsize: number; sections: Section[] } {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(bytes.readBigUInt64LE(E_SHOFF));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const sections = Array.from({ length: shnum }, (_, index) => {
    const h = shoff + index * shentsize;
    return {
      index,
      flags: bytes.readBigUInt64LE(h + 0x08),
      offset: Number(bytes.readBigUInt64LE(h + 0x18)),
      size: Number(bytes.readBigUInt64LE(h + 0x20)),
    };
  });
  return { shoff, shentsize, sections };
}

function padTo(end: number, align: bigint): Buffer {
  return Buffer.alloc(align > 1n ? Number((align - (BigInt(end) % align)) % align) : 0);
}

/**
 * The same program with its debug sections stored uncompressed, or undefined when none is compressed. The file is
 * the original, byte for byte, but for the ELF header's section header offset (e_shoff); appended after it are the
 * inflated debug sections and a new section header table that points at them. Program headers, code, data and
 * symbols are untouched (Go maps even the headers at the start of the file: they stay as they were), so the process
 * runs the very same program; only a reader of the DWARF sees a difference, in speed.
 */
export function uncompressedDebugSections(bytes: Buffer): Buffer | undefined {
  const { shoff, shentsize, sections } = elf64(bytes);
  const compressed = sections.filter((s) => (s.flags & SHF_COMPRESSED) !== 0n);
  if (compressed.length === 0) return undefined;
  const headers = Buffer.from(bytes.subarray(shoff, shoff + shentsize * sections.length));
  const parts: Buffer[] = [bytes];
  let end = bytes.length;
  const append = (b: Buffer): void => {
    parts.push(b);
    end += b.length;
  };
  for (const s of compressed) {
    if ((s.flags & SHF_ALLOC) !== 0n) throw new Error(`section ${s.index} is compressed and loaded: not rewritten`);
    const chdr = bytes.subarray(s.offset, s.offset + CHDR_SIZE);
    const type = chdr.readUInt32LE(0);
    if (type !== ELFCOMPRESS_ZLIB) throw new Error(`section ${s.index} is compressed with type ${type}, not zlib`);
    const size = Number(chdr.readBigUInt64LE(8));
    const align = chdr.readBigUInt64LE(16);
    const data = inflateSync(bytes.subarray(s.offset + CHDR_SIZE, s.offset + s.size));
    if (data.length !== size) throw new Error(`section ${s.index} inflates to ${data.length} bytes, not ${size}`);
    append(padTo(end, align));
    const h = s.index * shentsize;
    headers.writeBigUInt64LE(s.flags & ~SHF_COMPRESSED, h + 0x08);
    headers.writeBigUInt64LE(BigInt(end), h + 0x18);
    headers.writeBigUInt64LE(BigInt(size), h + 0x20);
    headers.writeBigUInt64LE(align, h + 0x30);
    append(data);
  }
  append(padTo(end, 8n));
  const newShoff = end;
  append(headers);
  const out = Buffer.concat(parts);
  out.writeBigUInt64LE(BigInt(newShoff), E_SHOFF);
  return out;
}

/**
 * The EPP binary the Go auto-instrumentation agent should be pointed at (and the EPP run from): the binary itself, or
 * its copy with uncompressed DWARF (uncompressedDebugSections), cached by the binary's hash. Why: the agent
 * (go.opentelemetry.io/auto v0.23.0, inject.FindOffset) opens the binary and reads its DWARF afresh for every struct
 * field offset its table lacks, which for a Go 1.26 EPP is every one of ~40, and inflating the EPP's ~50 MB of
 * zlib'd DWARF was nearly all of each lookup's 0.7-2 s; uncompressed, a lookup takes ~0.1 s.
 */
export async function agentTargetBinary(binary: string, progress: Progress): Promise<string> {
  const bytes = readFileSync(binary);
  if (!elf64(bytes).sections.some((s) => (s.flags & SHF_COMPRESSED) !== 0n)) return binary;
  const hash = createHash('sha256').update(bytes).digest('hex');
  const dir = toolDir('epp-dwarf', `${FORMAT}-${hash.slice(0, 32)}`);
  const out = join(dir, basename(binary));
  if (existsSync(out)) return out;
  mkdirSync(dirname(dir), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (existsSync(out)) return out;
    progress(`copying ${binary} with uncompressed DWARF, for the agent's offset analysis: ${out}`);
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a reader never sees half a binary.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, uncompressedDebugSections(bytes)!);
    chmodSync(tmp, 0o755);
    renameSync(tmp, out);
    return out;
  });
}
