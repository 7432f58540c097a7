import type { BlockHashScheme, KvEventLayout } from '../../mock-vllm/kv-events';

/**
 * What an EPP that consumes vLLM KV events needs of the publisher, per EPP version: how the topic names the
 * endpoint (`kv@<endpoint>@<model>`), the BlockStored layout it decodes, and the block keys it matches.
 */
export interface KvEventsContract {
  eppVersion: string;
  basis: 'recorded' | 'source-reading';
  /** `ip`: the endpoint's IP alone (so two endpoints on one IP are one); `ip:port`: address and port. */
  topicEndpoint: 'ip' | 'ip:port';
  layout: KvEventLayout;
  /** `sha256-cbor`: the event's hashes are the index keys and must be vLLM's; `fnv`: any unique hash does. */
  hashing: BlockHashScheme;
  notes: string;
}

export const KV_EVENTS_CONTRACTS: Record<string, KvEventsContract> = {
  'llm-d-inference-scheduler-v0.4.0': {
    eppVersion: 'llm-d-inference-scheduler-v0.4.0',
    basis: 'recorded',
    topicEndpoint: 'ip',
    layout: 'without-lora-name',
    hashing: 'sha256-cbor',
    notes:
      'llm-d-kv-cache-manager v0.4.0: scores are keyed by the Pod address alone; BlockStored is decoded as exactly ' +
      '6 fields; the event hashes are the index keys (vLLM sha256_cbor, PYTHONHASHSEED "").',
  },
  'llm-d-router-v0.9.0': {
    eppVersion: 'llm-d-router-v0.9.0',
    basis: 'source-reading',
    topicEndpoint: 'ip:port',
    layout: 'with-lora-name',
    hashing: 'fnv',
    notes: 'Index entries are matched against "<address>:<port>"; the EPP recomputes keys from token_ids.',
  },
  'llm-d-router-v0.10.0': {
    eppVersion: 'llm-d-router-v0.10.0',
    basis: 'source-reading',
    topicEndpoint: 'ip:port',
    layout: 'with-lora-name',
    hashing: 'fnv',
    notes: 'As v0.9.0.',
  },
};

export function kvEventsContractFor(eppVersion: string): KvEventsContract {
  const c = KV_EVENTS_CONTRACTS[eppVersion];
  if (!c) {
    throw new Error(
      `no KV-events contract for EPP ${eppVersion}; known: ${Object.keys(KV_EVENTS_CONTRACTS).join(', ')}`,
    );
  }
  return c;
}

/** The endpoint part of the topic under which this EPP attributes blocks to the endpoint at `address` (ip:port). */
export function kvTopicEndpoint(c: KvEventsContract, address: string): string {
  return c.topicEndpoint === 'ip' ? address.slice(0, address.lastIndexOf(':')) : address;
}
