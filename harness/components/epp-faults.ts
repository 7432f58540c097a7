import type { FaultDefinition } from '../faults/types';

// A file of its own, beside epp.ts, so that checking a --fault (every CLI start) loads no component.

/** Where `wrong-exporter` sends the EPP's spans: loopback port 1, where nothing listens (refused at once). */
export const DEAD_OTLP_ENDPOINT = 'http://127.0.0.1:1';

/**
 * The EPP's fault switches: made in the environment we give the real binary, never in the binary. Owners as in
 * harness/mock-vllm/faults.ts.
 */
export const EPP_FAULTS = {
  'wrong-exporter': {
    description: `OTEL_EXPORTER_OTLP_ENDPOINT points where nothing listens (${DEAD_OTLP_ENDPOINT})`,
    owners: [
      {
        scenario: 'smoke',
        says: /^trace incomplete: service llm-d-epp \(epp\) exported nothing since \S+[\s\S]*waited for: exactly one new EPP trace/,
      },
    ],
  },
} satisfies Record<string, FaultDefinition>;

export type EppFault = keyof typeof EPP_FAULTS;
