import type { HybridContract } from './types';

/**
 * What the pinned operator's Go agent does to a GIE EPP, recorded for both GIE versions: the same finding, only the
 * grpc version the EPP links differs. Recorded with operator v0.148.0's Go agent, go.opentelemetry.io/auto v0.23.0
 * (its versions.txt), on a kernel in lockdown "integrity".
 */
export function agentV023Hybrid(eppGrpcVersion: string): HybridContract {
  return {
    withTraceparent: 'no-agent-span',
    withoutTraceparent: 'dropped',
    why:
      'the agent v0.23.0 supports google.golang.org/grpc v1.14.0-v1.75.1 (its COMPATIBILITY.md); this EPP links ' +
      `grpc ${eppGrpcVersion}: its gRPC server probe loads (offsets from DWARF) but emits no span for the ext_proc ` +
      'stream, with or without traceparent metadata, while its net/http client spans (the EPP scraping the model ' +
      "servers) do arrive. The trial with v0.24.0 (grpc up to v1.80.0) did see the span; the operator's default " +
      'image is what users get.',
    upstream: 'open-telemetry/opentelemetry-go-instrumentation COMPATIBILITY.md (v0.23.0: grpc up to v1.75.1)',
  };
}
