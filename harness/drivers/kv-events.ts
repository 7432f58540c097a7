import { http } from '../runtime/http';
import { poll, PollError } from '../runtime/poll';
import {
  blockStoredFor,
  KvEventPublisher,
  kvTopic,
  type BlockHashing,
  type KvEvent,
  type KvEventLayout,
} from '../mock-vllm/kv-events';

/** The EPP counts every KV-event message it receives; older builds use the kvcache_ name. */
export const RECEIVED_METRICS = [
  'llm_d_epp_kv_cache_events_messages_received_total',
  'kvcache_kv_events_messages_received_total',
];

/** Sum of a counter's samples (all label sets) in Prometheus text, or undefined if the metric is absent. */
export function counterValue(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})?\\s+([0-9.eE+-]+)`).exec(line);
    if (m) {
      found = true;
      sum += Number(m[2]);
    }
  }
  return found ? sum : undefined;
}

/** Reads a counter until it reaches `atLeast` or the time is up; returns the last value read. */
async function pollCounter(
  read: () => Promise<number>,
  atLeast: number,
  timeoutMs: number,
): Promise<{ reached: boolean; last: number }> {
  try {
    return { reached: true, last: await poll(read, (v) => v >= atLeast, { timeoutMs, maxIntervalMs: 100 }) };
  } catch (err) {
    if (!(err instanceof PollError)) throw err;
    return { reached: false, last: (err.lastValue as number | undefined) ?? 0 };
  }
}

/**
 * The slow-joiner handshake: sends one harmless message per try until `counter` moves past `before` (PUB/SUB
 * drops what is sent before the subscription has propagated). Returns the counter then, or undefined.
 */
async function handshake(
  send: () => Promise<unknown>,
  counter: () => Promise<number>,
  before: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const probe = async (): Promise<number> => {
    await send();
    return counter();
  };
  return poll(probe, (now) => now > before, { timeoutMs, intervalMs: 50, maxIntervalMs: 50 }).catch((err) => {
    if (err instanceof PollError) return undefined;
    throw err;
  });
}

/**
 * Publishes vLLM KV-cache events to the EPP's bound SUB socket (global-socket mode, topic
 * `kv@<endpoint address>@<model>`), in vLLM's three-frame layout, and waits until the EPP has counted them:
 * PUB/SUB drops what is sent before the subscription propagates, so arrival is checked, never assumed.
 */
export class KvEventsDriver {
  private readonly pub: KvEventPublisher;
  private sent = 0;

  private readonly hashing: BlockHashing;

  /** `wire`: the layout and block hashes the consumer expects (defaults: current vLLM layout, the mock's hash). */
  constructor(
    endpoint: string,
    private readonly eppMetricsUrl?: string,
    wire: { layout?: KvEventLayout; hashing?: BlockHashing } = {},
  ) {
    this.pub = new KvEventPublisher(endpoint, wire.layout);
    this.hashing = wire.hashing ?? { scheme: 'fnv' };
  }

  async publish(endpointAddress: string, model: string, events: KvEvent[]): Promise<void> {
    await this.pub.publish(kvTopic(endpointAddress, model), events);
    this.sent++;
  }

  /** BlockStored for the full blocks of `tokenIds`; returns the block hashes used, for a later BlockRemoved. */
  async blockStored(endpointAddress: string, model: string, tokenIds: number[], blockSize: number): Promise<bigint[]> {
    const ev = blockStoredFor(model, tokenIds, blockSize, this.hashing);
    if (!ev || ev.type !== 'BlockStored')
      throw new Error(`${tokenIds.length} tokens make no full block of ${blockSize}`);
    await this.publish(endpointAddress, model, [ev]);
    return ev.hashes;
  }

  blockRemoved(endpointAddress: string, model: string, hashes: bigint[]): Promise<void> {
    return this.publish(endpointAddress, model, [{ type: 'BlockRemoved', hashes }]);
  }

  allBlocksCleared(endpointAddress: string, model: string): Promise<void> {
    return this.publish(endpointAddress, model, [{ type: 'AllBlocksCleared' }]);
  }

  private async metricsText(): Promise<string> {
    if (!this.eppMetricsUrl) throw new Error('KvEventsDriver: no EPP metrics URL to confirm arrival with');
    return (await http.get<string>(this.eppMetricsUrl)).data;
  }

  /** The EPP's received-messages counter now (0 before the first message, when it is not exported yet). */
  async received(): Promise<number> {
    const text = await this.metricsText();
    return RECEIVED_METRICS.map((m) => counterValue(text, m)).find((v) => v !== undefined) ?? 0;
  }

  /** Any EPP counter now (0 while it is not exported yet). */
  async counter(name: string): Promise<number> {
    return counterValue(await this.metricsText(), name) ?? 0;
  }

  /** Polls an EPP counter until it reaches `atLeast`; the error names the counter, the target and what it saw. */
  async waitForCounter(name: string, atLeast: number, what: string, timeoutMs = 10000): Promise<number> {
    const { reached, last } = await pollCounter(() => this.counter(name), atLeast, timeoutMs);
    if (reached) return last;
    throw new Error(`KV events: ${what}: ${name} stayed at ${last} for ${timeoutMs / 1000}s, expected >= ${atLeast}`);
  }

  /**
   * The slow-joiner handshake for an EPP that counts indexed blocks, not messages (llm-d-kv-cache-manager's
   * kvcache_index_admissions_total): stores one block under a model no request names, until the count moves.
   * Returns the counter then.
   */
  async readyByAdmissions(
    endpointAddress: string,
    counterName: string,
    blockSize: number,
    timeoutMs = 10000,
  ): Promise<number> {
    const before = await this.counter(counterName);
    const now = await handshake(
      () => this.blockStored(endpointAddress, 'kv-events-handshake', new Array<number>(blockSize).fill(0), blockSize),
      () => this.counter(counterName),
      before,
      timeoutMs,
    );
    if (now !== undefined) return now;
    throw new Error(
      `KV events: the EPP indexed none of ${this.sent} handshake messages in ${timeoutMs / 1000}s (${counterName} stayed at ${before}); is its SUB socket bound at the endpoint given?`,
    );
  }

  /**
   * The slow-joiner handshake: sends AllBlocksCleared (harmless on an index with nothing of this endpoint yet)
   * until the EPP counts one, so later messages are not dropped. Returns the counter then: the baseline that
   * `waitUntilReceived` counts from.
   */
  async ready(endpointAddress: string, model: string, timeoutMs = 10000): Promise<number> {
    const before = await this.received();
    const now = await handshake(
      () => this.allBlocksCleared(endpointAddress, model),
      () => this.received(),
      before,
      timeoutMs,
    );
    if (now !== undefined) return now;
    throw new Error(
      `KV events: the EPP counted none of ${this.sent} messages in ${timeoutMs / 1000}s; is its SUB socket bound at the endpoint given?`,
    );
  }

  /** Polls the EPP's received-messages counter until it reaches `atLeast`; the error says what it saw. */
  async waitUntilReceived(atLeast: number, timeoutMs = 10000): Promise<number> {
    const { reached, last } = await pollCounter(() => this.received(), atLeast, timeoutMs);
    if (reached) return last;
    throw new Error(
      `KV events: the EPP did not count ${atLeast} messages within ${timeoutMs / 1000}s (last: ${RECEIVED_METRICS[0]} = ${last})`,
    );
  }

  close(): Promise<void> {
    return this.pub.close();
  }
}
