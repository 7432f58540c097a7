import { sendCompletion } from '../drivers/openai';
import type { KvEventsDriver } from '../drivers/kv-events';
import { wordTokenIds } from '../drivers/word-tokenizer';
import type { Endpoints } from '../topology/types';

/** llm-d-kv-cache-manager's index counters, as the KV-events EPP exports them. */
export const KV_INDEX = {
  admissions: 'kvcache_index_admissions_total',
  evictions: 'kvcache_index_evictions_total',
  lookups: 'kvcache_index_lookup_requests_total',
  hits: 'kvcache_index_lookup_hits_total',
} as const;

/**
 * Sends prompts through the gateway and reads how many of their blocks the EPP's index found. The index adds
 * a lookup's hits to its counter in a goroutine after answering, so "found none" has no event to wait for:
 * every prompt is followed by a marker prompt whose one block is stored up front, and the counter is awaited
 * until the marker's hit (plus the expected ones) is in. Anything above that is an extra hit, also reported.
 */
export class KvIndexProbe {
  constructor(
    private readonly e: Endpoints,
    private readonly driver: KvEventsDriver,
    readonly endpoint: string,
    private readonly blockSize: number,
    private readonly markerPrompt: string,
  ) {}

  get model(): string {
    return this.e.models[0].model;
  }

  /** Stores the marker's block; call once before `expectHits`. */
  async storeMarker(): Promise<void> {
    await this.store(this.markerPrompt);
  }

  /** BlockStored for the prompt's full blocks on the endpoint, awaited until the index admitted them all. */
  async store(prompt: string, topicModel = this.model): Promise<bigint[]> {
    const before = await this.driver.counter(KV_INDEX.admissions);
    const tokens = wordTokenIds(prompt);
    const hashes = await this.driver.blockStored(this.endpoint, topicModel, tokens, this.blockSize);
    await this.driver.waitForCounter(KV_INDEX.admissions, before + hashes.length, `admitting ${hashes.length} blocks`);
    return hashes;
  }

  async remove(hashes: bigint[]): Promise<void> {
    const before = await this.driver.counter(KV_INDEX.evictions);
    await this.driver.blockRemoved(this.endpoint, this.model, hashes);
    await this.driver.waitForCounter(KV_INDEX.evictions, before + hashes.length, `evicting ${hashes.length} blocks`);
  }

  /** Sends `prompt`, then the marker, and checks the index found exactly `expected` of the prompt's blocks. */
  async expectHits(prompt: string, expected: number): Promise<void> {
    const blocks = Math.floor(wordTokenIds(prompt).length / this.blockSize);
    const before = await this.driver.counter(KV_INDEX.hits);
    for (const p of [prompt, this.markerPrompt]) {
      const res = await sendCompletion(this.e.gateway, { model: this.model, prompt: p });
      if (res.status !== 200) throw new Error(`the gateway answered ${res.status} for a completion: ${res.body}`);
    }
    let now: number;
    try {
      now = await this.driver.waitForCounter(KV_INDEX.hits, before + 1 + expected, 'waiting for the lookups', 5000);
    } catch {
      now = await this.driver.counter(KV_INDEX.hits);
    }
    const found = now - before - 1;
    if (found !== expected) {
      throw new Error(
        `the EPP's KV index found ${found} of the prompt's ${blocks} blocks, expected ${expected} ` +
          `(${KV_INDEX.hits} went ${before} -> ${now}, 1 of it the marker prompt's)`,
      );
    }
  }
}
