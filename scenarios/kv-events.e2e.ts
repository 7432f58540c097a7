// KV events: vLLM's KV-cache events, sent over ZeroMQ in vLLM's layout, reach a real EPP's KV-block index,
// and its precise-prefix-cache scorer finds a prompt's blocks when the prompt comes through the gateway;
// removals take them away. The EPP here is the KV-events EPP (versions.yaml kvEventsEpp: llm-d-inference-
// scheduler v0.4.0), the only one buildable here that subscribes to KV events. It emits no spans (so no scorer
// span can show the scores) and keys endpoints by IP; each mock vLLM has a loopback IP of its own, so which
// mock answered shows whom the KV blocks made it pick. What it indexed and found is read from its counters.
// First the mocks' own publishers (the path a real vLLM takes), then the index through the harness's driver.
import { KvEventsDriver } from '../harness/drivers/kv-events';
import { wordPrompt } from '../harness/drivers/word-tokenizer';
import { KvIndexProbe } from '../harness/scenario/kv-index';
import { expectAnnouncerPicked, type KvPickCase } from '../harness/scenario/kv-pick';
import { failureUnderMockFaults, mockFaults, setMockFaults } from '../harness/scenario/mock-faults';
import { applicability, notApplicable, useTopology } from '../harness/scenario/use-topology';
import { KV_BLOCK_SIZE } from '../harness/topology/local/local-topology';
import { kvEventsContractFor, kvTopicEndpoint, type KvEventsContract } from '../harness/traces/contracts';

const needs = applicability(['kv-events']);
if (!needs.applies) {
  notApplicable('kv-events', needs.reason);
} else {
  const env = useTopology({ models: 3, kvEventsEpp: true });
  // Three full blocks each; distinct words, so no prompt shares a block with another by accident.
  const prompt = wordPrompt(100, 3 * KV_BLOCK_SIZE);
  let driver: KvEventsDriver;
  let probe: KvIndexProbe;
  let contract: KvEventsContract;

  beforeAll(async () => {
    const e = env().topology.endpoints;
    if (!e.kvEvents) throw new Error(`the topology runs EPP ${e.eppVersion}, which binds no KV-events socket`);
    // The EPP version's KV-events contract: v0.4.0 decodes the 6-field BlockStored, matches vLLM's sha256_cbor
    // keys and names the endpoint by its IP alone in the topic.
    contract = kvEventsContractFor(e.eppVersion);
    driver = new KvEventsDriver(e.kvEvents, e.eppMetrics, {
      layout: contract.layout,
      hashing: { scheme: contract.hashing, seed: '' },
    });
    const address = kvTopicEndpoint(contract, e.models[0].address);
    await driver.readyByAdmissions(address, 'kvcache_index_admissions_total', KV_BLOCK_SIZE);
    probe = new KvIndexProbe(e, driver, address, KV_BLOCK_SIZE, wordPrompt(10, KV_BLOCK_SIZE));
    await probe.storeMarker();
  });

  afterAll(async () => {
    await driver?.close();
  });

  describe("kv-events: the mock vLLM's own publisher decides the pick", () => {
    // B announces 3 blocks by serving; A holds 2 of them, C 1. Prompts start at distinct words per test.
    const pickCase = (firstWord: number): KvPickCase => {
      const [a, b, c] = env().topology.endpoints.models;
      return {
        announcer: b,
        holders: [
          { endpoint: a, blocks: 2 },
          { endpoint: c, blocks: 1 },
        ],
        firstWord,
        blocks: 3,
        blockSize: KV_BLOCK_SIZE,
      };
    };

    it('a prompt whose blocks mock B announced (by serving it, as vLLM does) is answered by B', async () => {
      await expectAnnouncerPicked(env().topology.endpoints, driver, contract, pickCase(1200));
    });

    it("negative control: B's events under the wrong topic: the prompt is not answered by B, and the failure names topic, endpoint and blocks", async () => {
      const e = env().topology.endpoints;
      const err = await failureUnderMockFaults(e, ['wrong-kv-topic'], () =>
        expectAnnouncerPicked(e, driver, contract, pickCase(1400)),
      );
      expect(err.message).toMatch(
        /^the prompt whose 3 blocks mock-vllm-1 \(127\.0\.0\.3:\d+\) announced was answered by mock-vllm-0, which holds 2 of them: mock-vllm-1 published them under topic kv@192\.0\.2\.1@mock-llama, the EPP expects kv@127\.0\.0\.3@mock-llama \(EPP llm-d-inference-scheduler-v0\.4\.0 keys endpoints by ip\)$/,
      );
    });

    it('negative control: B publishing no KV events: the failure names the blocks, the endpoint and the topic it waited for', async () => {
      const e = env().topology.endpoints;
      const err = await failureUnderMockFaults(e, ['no-kv-events'], () =>
        expectAnnouncerPicked(e, driver, contract, pickCase(1600)),
      );
      expect(err.message).toMatch(
        /^the EPP admitted 0 of the 3 blocks mock-vllm-1 \(127\.0\.0\.3:\d+\) should have published under topic kv@127\.0\.0\.3@mock-llama after serving the prompt; mock-vllm-1 published: nothing$/,
      );
    });
  });

  describe('kv-events: the index, through the harness driver', () => {
    // The mocks would announce every prompt they serve on top of the driver's events; these tests own the index.
    let before: Map<string, string[]>;
    beforeAll(async () => {
      const e = env().topology.endpoints;
      before = await mockFaults(e);
      await setMockFaults(e, ['no-kv-events']);
    });
    afterAll(async () => {
      if (before) await setMockFaults(env().topology.endpoints, (m) => before.get(m) ?? []);
    });

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
