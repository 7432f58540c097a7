/**
 * Switches that break the mock on purpose, each in exactly one way an assertion must catch. All off by default.
 */
export const FAULTS = {
  'drop-traceparent': 'ignore incoming trace headers: llm_request starts a new trace',
  'new-root-trace': 'start a new trace with only a span LINK to the incoming context (link instead of parent)',
  'orphan-parent': 'keep the trace id but parent llm_request on a made-up span id',
  'no-spans': 'emit no span',
  'slow-export': 'hold spans for 30 s before exporting',
  'wrong-kv-topic': 'publish KV events under another endpoint (port + 1)',
  'no-kv-events': 'publish no KV events',
  'wrong-span-name': 'name the span llm_request_v2',
  'http-500': 'answer completions with HTTP 500',
} as const;

export type Fault = keyof typeof FAULTS;

export function parseFaults(list: string[]): Set<Fault> {
  const out = new Set<Fault>();
  for (const raw of list.map((s) => s.trim()).filter(Boolean)) {
    if (!(raw in FAULTS)) throw new Error(`unknown fault "${raw}"; valid faults: ${Object.keys(FAULTS).join(', ')}`);
    out.add(raw as Fault);
  }
  return out;
}
