import { wordPrompt, wordTokenIds } from '../drivers/word-tokenizer';
import { sha256CborBlockKeys } from './block-hash';
import { decode } from '@msgpack/msgpack';
import axios from 'axios';
import { Subscriber } from 'zeromq';
import { freePorts } from '../runtime/ports';
import { blockHash, blockStoredFor, kvEventFrames, kvTopic } from './kv-events';
import { parseMockVllmOptions } from './options';
import { startMockVllm, type StartedMockVllm } from './server';
import { chatTokenIds, completionTokenIds, fullBlocks, packBytes } from './tokens';

describe('token ids as the EPP estimates them', () => {
  it('packs UTF-8 bytes little-endian, zero-padded to 4', () => {
    expect(packBytes('abcd')).toEqual([0x64636261]);
    expect(packBytes('abcde')).toEqual([0x64636261, 0x65]);
    expect(completionTokenIds([5, 6, 7])).toEqual([5, 6, 7]);
    expect(completionTokenIds([[1, 2], [3]])).toEqual([1, 2, 3]);
    expect(chatTokenIds([{ role: 'user', content: 'hi' }])).toEqual(packBytes('userhi'));
  });

  it('keeps only full blocks', () => {
    expect(fullBlocks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(blockStoredFor('m', [1, 2, 3], 4)).toBeUndefined();
  });
});

describe('KV-event frames in vLLM layout', () => {
  const tokens = Array.from({ length: 32 }, (_, i) => i + 1);
  const stored = blockStoredFor('m', tokens, 16)!;

  it('chains block hashes: each depends on its parent', () => {
    expect(stored.type).toBe('BlockStored');
    if (stored.type !== 'BlockStored') return;
    expect(stored.hashes).toHaveLength(2);
    expect(stored.hashes[1]).toBe(blockHash('m', stored.hashes[0], tokens.slice(16)));
    expect(stored.hashes[0]).not.toBe(blockHash('other-model', null, tokens.slice(0, 16)));
  });

  it('is three frames: topic, big-endian sequence, msgpack [ts, events, rank] with uint64 hashes', () => {
    const small = { type: 'BlockStored' as const, hashes: [1n], parent: null, tokens: [7], blockSize: 1 };
    const [topic, seq, payload] = kvEventFrames(kvTopic('127.0.0.1:8001', 'm'), 3n, [small], 1700000000.25);
    expect(topic.toString()).toBe('kv@127.0.0.1:8001@m');
    expect(seq.toString('hex')).toBe('0000000000000003');
    // 0x93 array(3); 0xcb float64 ts; 0x91 one event; 0x98 array(8); "BlockStored"; 0x91 one hash; 0xcf uint64 1
    expect(payload.subarray(0, 1).toString('hex')).toBe('93');
    expect(payload[1]).toBe(0xcb);
    const hashAt = payload.indexOf(Buffer.from('91cf0000000000000001', 'hex'));
    expect(hashAt).toBeGreaterThan(0);
    expect(payload.toString('hex')).toContain(Buffer.from('BlockStored').toString('hex'));
    const decoded = decode(payload, { useBigInt64: true }) as unknown[];
    expect(decoded[0]).toBeCloseTo(1700000000.25);
    expect(decoded[1]).toEqual([['BlockStored', [1n], null, [7], 1, null, 'GPU', null]]);
    expect(decoded[2]).toBe(0);
  });

  it('speaks the 6-field BlockStored that llm-d-kv-cache-manager v0.4.0 decodes, when asked', () => {
    const small = { type: 'BlockStored' as const, hashes: [1n], parent: null, tokens: [7], blockSize: 1 };
    const [, , payload] = kvEventFrames('t', 1n, [small], 1, 'without-lora-name');
    expect((decode(payload, { useBigInt64: true }) as unknown[])[1]).toEqual([
      ['BlockStored', [1n], null, [7], 1, null, 'GPU'],
    ]);
  });

  it("hashes with vLLM's sha256_cbor when asked", () => {
    const ev = blockStoredFor('m', [2, 3, 4, 5, 6, 7, 8, 9], 4, { scheme: 'sha256-cbor' });
    expect(ev).toMatchObject({ hashes: [12024794207869516882n, 7315823503936006403n] });
  });

  it('encodes removals and clears', () => {
    const [, , payload] = kvEventFrames(
      't',
      1n,
      [{ type: 'BlockRemoved', hashes: [2n] }, { type: 'AllBlocksCleared' }],
      1.5,
    );
    expect((decode(payload, { useBigInt64: true }) as unknown[])[1]).toEqual([
      ['BlockRemoved', [2n], 'GPU'],
      ['AllBlocksCleared'],
    ]);
  });
});

describe('KV events over ZeroMQ', () => {
  let sub: Subscriber | undefined;
  let server: StartedMockVllm | undefined;

  afterEach(async () => {
    await server?.stop();
    sub?.close();
    server = undefined;
    sub = undefined;
  });

  async function receiveOne(wrongTopic: boolean): Promise<Buffer[]> {
    const [subPort] = await freePorts(1);
    sub = new Subscriber();
    sub.subscribe('kv@');
    await sub.bind(`tcp://127.0.0.1:${subPort}`);
    const opts = parseMockVllmOptions([
      '--port=0',
      '--model=m1',
      `--kv-events-endpoint=tcp://127.0.0.1:${subPort}`,
      ...(wrongTopic ? ['--faults=wrong-kv-topic'] : []),
    ]);
    server = await startMockVllm(opts);
    const received = sub.receive();
    // PUB/SUB drops what is sent before the subscription has reached the publisher ("slow joiner"), so keep
    // sending until the subscriber has a message, instead of sleeping for a guessed time.
    let done = false;
    void received.then(() => (done = true));
    const prompt = Array.from({ length: 16 }, (_, i) => i + 100);
    for (let i = 0; i < 200 && !done; i++) {
      await axios.post(`${server.url}/v1/completions`, { model: 'm1', prompt, max_tokens: 1 }, { proxy: false });
      await Promise.race([received, new Promise((r) => setTimeout(r, 25))]);
    }
    return received;
  }

  it('publishes a BlockStored batch for the prompt under kv@<address>@<model>', async () => {
    const [topic, seq, payload] = await receiveOne(false);
    expect(topic.toString()).toBe(`kv@127.0.0.1:${server!.port}@m1`);
    expect(seq.readBigUInt64BE()).toBeGreaterThanOrEqual(1n);
    const [, events] = decode(payload, { useBigInt64: true }) as [number, unknown[][]];
    expect(events[0][0]).toBe('BlockStored');
    expect(events[0][3]).toEqual(Array.from({ length: 16 }, (_, i) => i + 100));
  });

  it('wrong-kv-topic publishes under an address no endpoint has, keeping the port', async () => {
    const [topic] = await receiveOne(true);
    expect(topic.toString()).toBe(`kv@192.0.2.1:${server!.port}@m1`);
  });

  it('records what it published (/debug/kv-events)', async () => {
    await receiveOne(false);
    const log = (await axios.get(`${server!.url}/debug/kv-events`, { proxy: false })).data as unknown[];
    expect(log[0]).toMatchObject({ topic: `kv@127.0.0.1:${server!.port}@m1`, type: 'BlockStored', blocks: 1 });
  });

  it('speaks the consumer wire it is given: bare-IP topic, word tokens, sha256_cbor keys, 6-field BlockStored', async () => {
    const [subPort] = await freePorts(1);
    sub = new Subscriber();
    sub.subscribe('kv@');
    await sub.bind(`tcp://127.0.0.1:${subPort}`);
    server = await startMockVllm(
      parseMockVllmOptions([
        '--port=0',
        '--model=m1',
        `--kv-events-endpoint=tcp://127.0.0.1:${subPort}`,
        '--kv-topic-address=127.0.0.1',
        '--tokenizer=words',
        '--kv-hash=sha256-cbor',
        '--kv-layout=without-lora-name',
      ]),
    );
    const received = sub.receive();
    let done = false;
    void received.then(() => (done = true));
    const prompt = wordPrompt(5, 16);
    for (let i = 0; i < 200 && !done; i++) {
      await axios.post(`${server.url}/v1/completions`, { model: 'm1', prompt, max_tokens: 1 }, { proxy: false });
      await Promise.race([received, new Promise((r) => setTimeout(r, 25))]);
    }
    const [topic, , payload] = await received;
    expect(topic.toString()).toBe('kv@127.0.0.1@m1');
    const [, events] = decode(payload, { useBigInt64: true }) as [number, unknown[][]];
    expect(events[0]).toHaveLength(7);
    expect(events[0][3]).toEqual(wordTokenIds(prompt));
    expect(events[0][1]).toEqual(sha256CborBlockKeys([wordTokenIds(prompt)], ''));
  });
});
