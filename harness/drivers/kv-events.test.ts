import { decode } from '@msgpack/msgpack';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Subscriber } from 'zeromq';
import { freePorts } from '../runtime/ports';
import { counterValue, KvEventsDriver } from './kv-events';

describe('KV-events driver', () => {
  let sub: Subscriber;
  let metrics: Server;
  let metricsUrl: string;
  let endpoint: string;
  const received: Buffer[][] = [];

  beforeAll(async () => {
    const [port] = await freePorts(1);
    endpoint = `tcp://127.0.0.1:${port}`;
    sub = new Subscriber();
    sub.subscribe('kv@');
    await sub.bind(endpoint);
    // Stands in for the EPP's /metrics: it counts what our subscriber really received.
    metrics = createServer((_req, res) =>
      res.end(`# TYPE x counter\nllm_d_epp_kv_cache_events_messages_received_total{pod="a"} ${received.length}\n`),
    );
    await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', () => r()));
    metricsUrl = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}/metrics`;
    // The only reader of the socket (ZeroMQ allows one): tests look at what it collected.
    void (async () => {
      for await (const frames of sub) received.push(frames);
    })();
  });

  afterAll(async () => {
    sub.close();
    await new Promise<void>((r) => metrics.close(() => r()));
  });

  const eventTag = (frames: Buffer[]): unknown => (decode(frames[2], { useBigInt64: true }) as unknown[][][])[1][0][0];

  it('reads a counter summed over its label sets', () => {
    expect(counterValue('a_total{x="1"} 2\na_total{x="2"} 3\nb_total 9\n', 'a_total')).toBe(5);
    expect(counterValue('b_total 9\n', 'a_total')).toBeUndefined();
  });

  it('handshakes, then publishes BlockStored, BlockRemoved and AllBlocksCleared and waits until they are counted', async () => {
    const driver = new KvEventsDriver(endpoint, metricsUrl);
    try {
      const baseline = await driver.ready('127.0.0.1:8001', 'm');
      const tokens = Array.from({ length: 32 }, (_, i) => i);
      const hashes = await driver.blockStored('127.0.0.1:8001', 'm', tokens, 16);
      await driver.blockRemoved('127.0.0.1:8001', 'm', hashes);
      await driver.allBlocksCleared('127.0.0.1:8001', 'm');
      expect(await driver.waitUntilReceived(baseline + 3, 3000)).toBe(baseline + 3);
      const [stored, removed, cleared] = received.slice(-3);
      expect(stored[0].toString()).toBe('kv@127.0.0.1:8001@m');
      expect((decode(stored[2], { useBigInt64: true }) as unknown[][])[1][0]).toEqual([
        'BlockStored',
        hashes,
        null,
        tokens,
        16,
        null,
        'GPU',
        null,
      ]);
      expect([eventTag(removed), eventTag(cleared)]).toEqual(['BlockRemoved', 'AllBlocksCleared']);
    } finally {
      await driver.close();
    }
  });

  it('says what it saw when the EPP never counts the messages', async () => {
    const driver = new KvEventsDriver(endpoint, metricsUrl);
    try {
      await expect(driver.waitUntilReceived(1e9, 300)).rejects.toThrow(
        /^KV events: the EPP did not count 1000000000 messages within 0\.3s \(last: llm_d_epp_kv_cache_events_messages_received_total = \d+\)$/,
      );
    } finally {
      await driver.close();
    }
  });
});
