// KV events: vLLM's KV-cache events, sent over ZeroMQ in vLLM's layout, reach a real EPP's KV-block index,
// and its precise-prefix-cache scorer finds a prompt's blocks when the prompt comes through the gateway;
// removals take them away. The EPP here is the KV-events EPP (versions.yaml kvEventsEpp: llm-d-inference-
// scheduler v0.4.0), the only one buildable here that subscribes to KV events. It emits no spans and keys
// endpoints by IP, and every local endpoint is 127.0.0.1, so what it indexed and found is read from its
// index counters, not from traces or from which endpoint answered.
import { KvEventsDriver } from '../harness/drivers/kv-events';
import { wordPrompt } from '../harness/drivers/word-tokenizer';
import { KvIndexProbe } from '../harness/scenario/kv-index';
import { applicability, notApplicable, useTopology } from '../harness/scenario/use-topology';
import { KV_BLOCK_SIZE } from '../harness/topology/local/local-topology';

const needs = applicability(['kv-events']);
if (!needs.applies) {
  notApplicable('kv-events', needs.reason);
} else {
  const env = useTopology({ models: 2, kvEventsEpp: true });
  // Three full blocks each; distinct words, so no prompt shares a block with another by accident.
  const prompt = wordPrompt(100, 3 * KV_BLOCK_SIZE);
  let driver: KvEventsDriver;
  let probe: KvIndexProbe;

  beforeAll(async () => {
    const e = env().topology.endpoints;
    if (!e.kvEvents) throw new Error(`the topology runs EPP ${e.eppVersion}, which binds no KV-events socket`);
    // kv-cache-manager v0.4.0 decodes the 6-field BlockStored and recomputes vLLM's sha256_cbor keys.
    driver = new KvEventsDriver(e.kvEvents, e.eppMetrics, {
      layout: 'without-lora-name',
      hashing: { scheme: 'sha256-cbor', seed: '' },
    });
    // The EPP's pod identifier is the endpoint's IP (the topic's middle part).
    const address = e.models[0].address.split(':')[0];
    await driver.readyByAdmissions(address, 'kvcache_index_admissions_total', KV_BLOCK_SIZE);
    probe = new KvIndexProbe(e, driver, address, KV_BLOCK_SIZE, wordPrompt(10, KV_BLOCK_SIZE));
    await probe.storeMarker();
  });

  afterAll(async () => {
    await driver?.close();
  });

  describe('kv-events', () => {
    it("finds none of a prompt's blocks before they are announced, all of them after BlockStored", async () => {
      await probe.expectHits(prompt, 0);
      await probe.store(prompt);
      await probe.expectHits(prompt, 3);
    });

    it('chains block keys: a prompt sharing only the first block with a stored one finds only that block', async () => {
      const sharesFirst = `${wordPrompt(100, KV_BLOCK_SIZE)} ${wordPrompt(2000, 2 * KV_BLOCK_SIZE)}`;
      await probe.expectHits(sharesFirst, 1);
    });

    it('BlockRemoved takes blocks away: the index no longer finds them', async () => {
      const p = wordPrompt(300, 3 * KV_BLOCK_SIZE);
      const hashes = await probe.store(p);
      await probe.expectHits(p, 3);
      // Upstream fact: v0.4.0's lookup skips a key it no longer holds and goes on down the chain
      // (in_memory.go Lookup stops only at a key with an empty pod set), so the third block is still found.
      await probe.remove([hashes[1]]);
      await probe.expectHits(p, 2);
      await probe.remove([hashes[0], hashes[2]]);
      await probe.expectHits(p, 0);
    });

    it('AllBlocksCleared is accepted and, in llm-d-kv-cache-manager v0.4.0, clears nothing', async () => {
      // Upstream fact (kvevents/pool.go digestEvents: `case AllBlocksCleared: continue`). Events of one endpoint
      // are handled in order, so the marker stored after the clear proves the clear was handled first.
      const p = wordPrompt(500, 2 * KV_BLOCK_SIZE);
      await probe.store(p);
      await driver.allBlocksCleared(probe.endpoint, probe.model);
      await probe.store(wordPrompt(700, KV_BLOCK_SIZE));
      await probe.expectHits(p, 2);
    });

    it('negative control: blocks announced under the wrong topic (another model) are not found, and the scenario says so', async () => {
      const p = wordPrompt(900, 3 * KV_BLOCK_SIZE);
      await probe.store(p, 'not-the-served-model');
      await expect(probe.expectHits(p, 3)).rejects.toThrow(
        /^the EPP's KV index found 0 of the prompt's 3 blocks, expected 3 \(kvcache_index_lookup_hits_total went \d+ -> \d+, 1 of it the marker prompt's\)$/,
      );
    });
  });
}
