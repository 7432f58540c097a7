import type { EppContract } from './types';

/** Recorded from the real GIE v1.4.0 EPP in the local topology (fixtures/traces/recorded-epp-trace-gie-v1.4.0.json). */
export const gieV140: EppContract = {
  eppVersion: 'gie-v1.4.0',
  basis: 'recorded',
  joinsIncomingTrace: false,
  hybrid: {
    withTraceparent: 'separate',
    withoutTraceparent: 'dropped',
    why:
      'the agent parents its ext_proc server span on the traceparent Envoy sends, but the EPP starts gateway.request ' +
      'from the stream context without extracting it, and the agent probes that could hand the eBPF span context ' +
      "to the EPP's SDK (go.opentelemetry.io/otel/trace, .../internal/global, go.opentelemetry.io/auto) are off " +
      'under kernel lockdown. Without traceparent metadata the agent gives the span an all-zero trace id and drops it.',
    upstream: 'open-telemetry/opentelemetry-go-instrumentation#205 (all-zero trace and span ids)',
  },
  spans: [
    {
      name: 'gateway.request',
      kind: 'server',
      role: 'epp',
      parent: 'root',
      requiredAttributes: [],
      scope: 'gateway-api-inference-extension',
    },
  ],
  notes:
    'The first GIE release with the gateway.request entry span (#2057). No orchestration span yet (added in ' +
    'v1.5.0, #2239), and gateway.request is emitted under the scope later renamed to .../epp/extproc.',
};
