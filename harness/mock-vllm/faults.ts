import type { FaultDefinition } from '../faults/types';

/**
 * Switches that break the mock on purpose, each in exactly one way an assertion must catch. All off by default.
 * Each names the scenarios that own it and what their failure must say: `epp-e2e faults` turns every switch on
 * in turn and proves each owner fails that way (harness/faults/matrix.ts). A switch no scenario can be made to
 * notice does not belong here.
 */
export const FAULTS = {
  'drop-traceparent': {
    description: 'ignore incoming trace headers: llm_request starts a new trace',
    owners: [
      { scenario: 'smoke', says: /^trace complete; no span of service mock-vllm\b/ },
      {
        scenario: 'propagation',
        says: /^trace complete; no model-server span in the client trace\nwaited for: the Envoy and model-server spans/,
      },
    ],
  },
  'new-root-trace': {
    description: 'start a new trace with only a span LINK to the incoming context (link instead of parent)',
    owners: [{ scenario: 'propagation', says: /^trace complete; no model-server span/ }],
  },
  'orphan-parent': {
    description: 'keep the trace id but parent llm_request on a made-up span id',
    owners: [{ scenario: 'propagation', says: /1 orphan\(s\): mock-vllm llm_request/ }],
  },
  'no-spans': {
    description: 'emit no span',
    owners: [{ scenario: 'smoke', says: /^trace complete; no span of service mock-vllm\b/ }],
  },
  'slow-export': {
    description: 'hold spans for 30 s before exporting',
    owners: [
      // The exporter holds every batch, the horizon's sentinels too: the mocks are named as the silent services.
      {
        scenario: 'smoke',
        says: /^trace incomplete: service mock-vllm \(mock-vllm-\d\) exported nothing since \S+: its sentinel span/,
      },
    ],
  },
  'wrong-kv-topic': {
    description: 'publish KV events under an address no endpoint has (192.0.2.1, TEST-NET-1)',
    owners: [{ scenario: 'kv-events', says: /published them under topic kv@192\.0\.2\.1\S*, the EPP expects kv@/ }],
  },
  'no-kv-events': {
    description: 'publish no KV events',
    owners: [
      {
        scenario: 'kv-events',
        says: /admitted 0 of the \d+ blocks mock-vllm-\d .*under topic kv@\S+.*published: nothing/,
      },
    ],
  },
  'wrong-span-name': {
    description: 'name the span llm_request_v2',
    owners: [{ scenario: 'smoke', says: /missing span llm_request\b[\s\S]*unexpected span llm_request_v2/ }],
  },
  'http-500': {
    description: 'answer completions with HTTP 500',
    owners: [{ scenario: 'smoke', says: /the gateway answered HTTP 500 from mock-vllm-\d/ }],
  },
} satisfies Record<string, FaultDefinition>;

export type Fault = keyof typeof FAULTS;

export const FAULT_NAMES = Object.keys(FAULTS) as Fault[];

export function parseFaults(list: string[]): Set<Fault> {
  const out = new Set<Fault>();
  for (const raw of list.map((s) => s.trim()).filter(Boolean)) {
    if (!(raw in FAULTS)) throw new Error(`unknown fault "${raw}"; valid faults: ${FAULT_NAMES.join(', ')}`);
    out.add(raw as Fault);
  }
  return out;
}

/** Where `wrong-kv-topic` says the blocks are: an address from TEST-NET-1, which no endpoint ever has. */
export const WRONG_KV_HOST = '192.0.2.1';

/** The topic address with its host swapped for WRONG_KV_HOST (a port, when the format has one, is kept). */
export function wrongKvAddress(address: string): string {
  const colon = address.lastIndexOf(':');
  return colon < 0 ? WRONG_KV_HOST : `${WRONG_KV_HOST}${address.slice(colon)}`;
}
