import { createHash } from 'node:crypto';

/**
 * vLLM's `sha256_cbor` prefix-cache block hash, as llm-d's KV-cache indexer recomputes it from a prompt's
 * tokens (llm-d-kv-cache-manager kvblock.ChunkedTokenDatabase): each full block hashes
 * sha256(canonical CBOR of [parent hash (32 bytes), block token ids, null]); the first block's parent is
 * sha256(CBOR of the hash seed string, vLLM's PYTHONHASHSEED); the 64-bit key is the digest's last 8 bytes,
 * big-endian. Publishing these keys is what lets a real indexer match a prompt to the blocks we announce.
 */

/** A CBOR head: major type and argument in the shortest form (canonical CBOR, RFC 8949 4.2.1). */
function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  }
  throw new Error(`CBOR argument ${n} does not fit the 32-bit forms token ids use`);
}

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/** The chain's root: sha256 of the CBOR text string `seed`. */
export function seedHash(seed: string): Buffer {
  const text = Buffer.from(seed, 'utf8');
  return sha256(Buffer.concat([cborHead(3, text.length), text]));
}

/** One block's 32-byte hash from its parent's and its token ids (extra keys: none). */
export function chunkHash(parent: Buffer, tokens: number[]): Buffer {
  return sha256(
    Buffer.concat([
      cborHead(4, 3),
      cborHead(2, parent.length),
      parent,
      cborHead(4, tokens.length),
      ...tokens.map((t) => cborHead(0, t >>> 0)),
      Buffer.from([0xf6]), // null
    ]),
  );
}

/** The 64-bit keys of each full block's prefix chain. */
export function sha256CborBlockKeys(blocks: number[][], seed = ''): bigint[] {
  let parent = seedHash(seed);
  return blocks.map((block) => {
    parent = chunkHash(parent, block);
    return parent.readBigUInt64BE(24);
  });
}
