import { encode } from '@msgpack/msgpack';
import { Publisher } from 'zeromq';
import { sha256CborBlockKeys } from './block-hash';
import { fullBlocks } from './tokens';

/** FNV-1a 64 over the model, the parent hash and the block's tokens: deterministic, unique enough per block. */
export function blockHash(model: string, parent: bigint | null, tokens: number[]): bigint {
  let h = 0xcbf29ce484222325n;
  const feed = (byte: number): void => {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  for (const b of Buffer.from(model)) feed(b);
  const p = Buffer.alloc(8);
  p.writeBigUInt64BE(parent ?? 0n);
  for (const b of p) feed(b);
  const t = Buffer.alloc(4);
  for (const tok of tokens) {
    t.writeUInt32BE(tok >>> 0);
    for (const b of t) feed(b);
  }
  return h;
}

export type KvEvent =
  | { type: 'BlockStored'; hashes: bigint[]; parent: bigint | null; tokens: number[]; blockSize: number }
  | { type: 'BlockRemoved'; hashes: bigint[] }
  | { type: 'AllBlocksCleared' };

/**
 * How block hashes are made: `fnv` is the mock's own (the GIE EPPs index nothing, so any stable hash did);
 * `sha256-cbor` is vLLM's, the one an indexer that recomputes keys from the prompt (llm-d's) can match.
 */
export type BlockHashScheme = 'fnv' | 'sha256-cbor';

export interface BlockHashing {
  scheme: BlockHashScheme;
  /** vLLM's PYTHONHASHSEED, for sha256-cbor. */
  seed?: string;
}

/** One BlockStored per prompt: the chain of its full blocks. */
export function blockStoredFor(
  model: string,
  tokens: number[],
  blockSize: number,
  hashing: BlockHashing = { scheme: 'fnv' },
): KvEvent | undefined {
  const blocks = fullBlocks(tokens, blockSize);
  if (blocks.length === 0) return undefined;
  let hashes: bigint[];
  if (hashing.scheme === 'sha256-cbor') {
    hashes = sha256CborBlockKeys(blocks, hashing.seed ?? '');
  } else {
    hashes = [];
    let parent: bigint | null = null;
    for (const block of blocks) {
      parent = blockHash(model, parent, block);
      hashes.push(parent);
    }
  }
  return { type: 'BlockStored', hashes, parent: null, tokens: blocks.flat(), blockSize };
}

/**
 * BlockStored's field list grew upstream: vLLM added `lora_name` as the 7th field, and
 * llm-d-kv-cache-manager v0.4.0 decodes a fixed 6-field array and drops the whole event when it meets 7
 * ("number of fields in array-encoded struct has changed"). The consumer decides which layout to speak.
 */
export type KvEventLayout = 'with-lora-name' | 'without-lora-name';

/** vLLM's positional event layout (array form, tag first). */
function eventArray(e: KvEvent, layout: KvEventLayout): unknown[] {
  switch (e.type) {
    case 'BlockStored':
      return layout === 'with-lora-name'
        ? ['BlockStored', e.hashes, e.parent, e.tokens, e.blockSize, null, 'GPU', null]
        : ['BlockStored', e.hashes, e.parent, e.tokens, e.blockSize, null, 'GPU'];
    case 'BlockRemoved':
      return ['BlockRemoved', e.hashes, 'GPU'];
    case 'AllBlocksCleared':
      return ['AllBlocksCleared'];
  }
}

export function kvTopic(address: string, model: string): string {
  return `kv@${address}@${model}`;
}

/**
 * The three ZeroMQ frames of one vLLM KV-event batch: topic, sequence number (8-byte big-endian), and the
 * msgpack batch `[ts, events, data_parallel_rank]`. Hashes are BigInts encoded with useBigInt64, i.e. always
 * as 8-byte msgpack uint64: the EPP's decoder rejects hashes in msgpack's compact integer forms.
 */
export function kvEventFrames(
  topic: string,
  seq: bigint,
  events: KvEvent[],
  tsSeconds: number,
  layout: KvEventLayout = 'with-lora-name',
): [Buffer, Buffer, Buffer] {
  const seqFrame = Buffer.alloc(8);
  seqFrame.writeBigUInt64BE(seq);
  // A float64 timestamp even when whole: vLLM sends a Python float.
  const batch = [tsSeconds + 1e-9, events.map((e) => eventArray(e, layout)), 0];
  const payload = Buffer.from(encode(batch, { useBigInt64: true, forceFloat32: false }));
  return [Buffer.from(topic, 'utf8'), seqFrame, payload];
}

/** A PUB socket that connects to the subscriber, as vLLM does with a non-wildcard endpoint. */
export class KvEventPublisher {
  private readonly socket = new Publisher();
  private seq = 0n;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    endpoint: string,
    private readonly layout: KvEventLayout = 'with-lora-name',
  ) {
    this.socket.connect(endpoint);
  }

  /** Sends in order; ZeroMQ sockets are not safe for concurrent sends. */
  publish(topic: string, events: KvEvent[]): Promise<void> {
    this.seq += 1n;
    const frames = kvEventFrames(topic, this.seq, events, Date.now() / 1000, this.layout);
    this.sending = this.sending.then(() => this.socket.send(frames));
    return this.sending;
  }

  async close(): Promise<void> {
    await this.sending.catch(() => undefined);
    this.socket.linger = 0;
    this.socket.close();
  }
}
