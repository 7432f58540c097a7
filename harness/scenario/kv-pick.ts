import { httpJson, ok } from '../runtime/http';
import { sendCompletion } from '../drivers/openai';
import type { KvEventsDriver } from '../drivers/kv-events';
import { wordPrompt, wordTokenIds } from '../drivers/word-tokenizer';
import { blockStoredFor, kvTopic, type KvEvent } from '../mock-vllm/kv-events';
import type { PublishedKvEvent } from '../mock-vllm/server';
import type { Endpoints, ModelEndpoint } from '../topology/types';
import { kvTopicEndpoint, type KvEventsContract } from '../traces/contracts';
import { KV_INDEX } from './kv-index';

/** The KV-event batches a mock vLLM says it published (its /debug/kv-events), oldest first. */
export async function mockKvEvents(url: string): Promise<PublishedKvEvent[]> {
  return ok(await httpJson.get<PublishedKvEvent[]>(`${url}/debug/kv-events`), 'mock vLLM KV events');
}

export interface KvPickCase {
  /** The endpoint that serves the prompt first and so announces its blocks (B). */
  announcer: ModelEndpoint;
  /** The other endpoints, each holding a shorter prefix of the prompt (announced by the harness's driver). */
  holders: { endpoint: ModelEndpoint; blocks: number }[];
  /** First word of the prompt and of the marker: distinct per call, so no earlier request shares a block. */
  firstWord: number;
  blocks: number;
  blockSize: number;
}

/**
 * The mock vLLM's own KV publisher decides the pick, end to end: B serves a prompt (directly, as after any
 * request), and its publisher announces the prompt's blocks, which the EPP's index must admit; the other
 * endpoints hold shorter prefixes (A two blocks, C one, announced by the harness's driver). With B's blocks
 * attributed to B, B has the longest prefix and the same prompt through the gateway must be answered by B.
 * Under a topic the EPP does not map to B, A wins, deterministically: v0.4.0 min-max normalises the scores of
 * every indexed pod, pool member or not, so A must beat someone (C) to score above 0, where B now sits.
 * Every failure names the topic, the endpoint and the blocks.
 */
export async function expectAnnouncerPicked(
  e: Endpoints,
  driver: KvEventsDriver,
  contract: KvEventsContract,
  c: KvPickCase,
): Promise<void> {
  const b = c.announcer;
  const model = b.model;
  const prompt = wordPrompt(c.firstWord, c.blocks * c.blockSize);
  const expectedTopic = kvTopic(kvTopicEndpoint(contract, b.address), model);
  const published = (await mockKvEvents(b.url)).length;
  const admitted = await driver.counter(KV_INDEX.admissions);

  const direct = await sendCompletion(b.url, { model, prompt });
  if (direct.status !== 200) throw new Error(`${b.name} answered HTTP ${direct.status} to the prompt: ${direct.body}`);
  const notAdmitted = async (ours: PublishedKvEvent[]): Promise<Error> => {
    const now = await driver.counter(KV_INDEX.admissions);
    return new Error(
      `the EPP admitted ${now - admitted} of the ${c.blocks} blocks ${b.name} (${b.address}) should have published ` +
        `under topic ${expectedTopic} after serving the prompt; ${b.name} published: ${describe(ours)}`,
    );
  };
  // The mock records a batch before it answers: when the answer is in and the record holds nothing new, nothing
  // was published for this prompt and nothing can arrive, so that is decided now, not at the counter's deadline.
  let ours = (await mockKvEvents(b.url)).slice(published);
  if (ours.length === 0) throw await notAdmitted(ours);
  try {
    await driver.waitForCounter(KV_INDEX.admissions, admitted + c.blocks, `admitting ${b.name}'s blocks`);
  } catch {
    throw await notAdmitted((await mockKvEvents(b.url)).slice(published));
  }
  ours = (await mockKvEvents(b.url)).slice(published);

  // The others' shorter prefixes; the index counts every key it adds, so the sum says all were handled.
  const tokens = wordTokenIds(prompt);
  const beforeHolders = await driver.counter(KV_INDEX.admissions);
  for (const h of c.holders) {
    const held = blockStoredFor(model, tokens.slice(0, h.blocks * c.blockSize), c.blockSize, {
      scheme: contract.hashing,
    });
    await driver.publish(kvTopicEndpoint(contract, h.endpoint.address), model, [held as KvEvent]);
  }
  const holding = c.holders.reduce((n, h) => n + h.blocks, 0);
  await driver.waitForCounter(KV_INDEX.admissions, beforeHolders + holding, 'admitting the shorter prefixes');

  const res = await sendCompletion(e.gateway, { model, prompt });
  if (res.status !== 200) throw new Error(`the gateway answered HTTP ${res.status} for the prompt: ${res.body}`);
  if (res.servedBy !== b.name) {
    const topics = [...new Set(ours.map((p) => p.topic))];
    const where =
      topics.length === 1 && topics[0] === expectedTopic
        ? `under the expected topic ${expectedTopic}`
        : `under topic ${topics.join(', ')}, the EPP expects ${expectedTopic}`;
    throw new Error(
      `the prompt whose ${c.blocks} blocks ${b.name} (${b.address}) announced was answered by ${res.servedBy ?? 'nobody'}, ` +
        `which holds ${c.holders.find((h) => h.endpoint.name === res.servedBy)?.blocks ?? 0} of them: ` +
        `${b.name} published them ${where} ` +
        `(EPP ${e.eppVersion} keys endpoints by ${contract.topicEndpoint})`,
    );
  }
}

function describe(events: PublishedKvEvent[]): string {
  if (events.length === 0) return 'nothing';
  return events.map((p) => `${p.type} of ${p.blocks} blocks under topic ${p.topic}`).join('; ');
}
