import type { FaultDefinition } from '../faults/types';

// A file of its own, beside envoy.ts, so that checking a --fault (every CLI start) loads no component.

/**
 * Envoy's fault switches: made in the bootstrap we render, never in Envoy itself. Owners as in
 * harness/mock-vllm/faults.ts.
 */
export const ENVOY_FAULTS = {
  'no-tracing': {
    description: 'a bootstrap without the tracing block: Envoy forwards traceparent but emits no span',
    owners: [{ scenario: 'smoke', says: /^trace incomplete: service envoy-gateway \(envoy\) exported nothing since/ }],
  },
} satisfies Record<string, FaultDefinition>;

export type EnvoyFault = keyof typeof ENVOY_FAULTS;
