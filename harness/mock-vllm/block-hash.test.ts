import { chunkHash, seedHash, sha256CborBlockKeys } from './block-hash';

describe("vLLM's sha256_cbor block keys", () => {
  it('matches the keys llm-d-kv-cache-manager v0.4.0 computed for the same tokens', () => {
    // Read off the real indexer's log ("found tokens ... block-keys") for tokens 2..9, block size 4, seed "".
    expect(
      sha256CborBlockKeys([
        [2, 3, 4, 5],
        [6, 7, 8, 9],
      ]),
    ).toEqual([12024794207869516882n, 7315823503936006403n]);
  });

  it('chains: a block key depends on every block before it, and on the seed', () => {
    const [a] = sha256CborBlockKeys([[6, 7, 8, 9]]);
    const [, b] = sha256CborBlockKeys([
      [2, 3, 4, 5],
      [6, 7, 8, 9],
    ]);
    expect(a).not.toBe(b);
    expect(sha256CborBlockKeys([[2, 3, 4, 5]], '42')[0]).not.toBe(sha256CborBlockKeys([[2, 3, 4, 5]])[0]);
  });

  it('encodes canonical CBOR: the shortest integer forms', () => {
    // sha256 of the one-byte CBOR empty text string 0x60, computed independently (Python hashlib).
    expect(seedHash('').toString('hex')).toBe('8d33f520a3c4cef80d2453aef81b612bfe1cb44c8b2025630ad38662763f13d3');
    const p = seedHash('');
    const ids = [23, 24, 255, 256, 65535, 65536, 4294967295];
    expect(new Set(ids.map((t) => chunkHash(p, [t]).toString('hex'))).size).toBe(ids.length);
  });
});
