import { GIE_GATEWAY } from './gie-gateway';
import type { EppContract } from './types';

/** Recorded from the real GIE v1.5.0 EPP in the local topology (fixtures/traces/recorded-epp-trace.json). */
export const gieV150: EppContract = {
  eppVersion: 'gie-v1.5.0',
  basis: 'recorded',
  joinsIncomingTrace: false,
  joinsGatewayTrace: GIE_GATEWAY,
  hybrid: {
    // Recorded with operator v0.148.0's Go agent, go.opentelemetry.io/auto v0.23.0 (its versions.txt), on a
    // kernel in lockdown "integrity".
    withTraceparent: 'no-agent-span',
    withoutTraceparent: 'dropped',
    why:
      'the agent v0.23.0 supports google.golang.org/grpc v1.14.0-v1.75.1 (its COMPATIBILITY.md); this EPP links ' +
      'grpc v1.80.0: its gRPC server probe loads (offsets from DWARF) but emits no span for the ext_proc stream, ' +
      'with or without traceparent metadata, while its net/http client spans (the EPP scraping the model ' +
      "servers) do arrive. The trial with v0.24.0 (grpc up to v1.80.0) did see the span; the operator's default " +
      'image is what users get.',
    upstream: 'open-telemetry/opentelemetry-go-instrumentation COMPATIBILITY.md (v0.23.0: grpc up to v1.75.1)',
  },
  spans: [
    {
      name: 'gateway.request',
      kind: 'server',
      role: 'epp',
      parent: 'root',
      requiredAttributes: [],
      scope: 'gateway-api-inference-extension/epp/extproc',
    },
    {
      name: 'gateway.request_orchestration',
      kind: 'server',
      role: 'epp',
      parent: 'gateway.request',
      requiredAttributes: ['target_model', 'request_prio'],
      scope: 'gateway-api-inference-extension',
    },
  ],
  notes:
    'gateway.request is started from the stream context, so it is always the root of a new trace: the incoming ' +
    'traceparent is not extracted (that came in llm-d-router v0.9.0, #1514). The EPP injects its context into the ' +
    'forwarded request headers, but the client traceparent it copies through overrides it when the client sent one.',
};
