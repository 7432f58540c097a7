import type { HybridVerdict } from '../traces/contracts/types';
import { ancestors, type Span, type Trace } from '../traces/model';

export const PROCESS_METHOD = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';
/** The scope of the agent's gRPC server spans (go.opentelemetry.io/auto's grpc probe). */
export const AUTO_GRPC_SCOPE = 'go.opentelemetry.io/auto/google.golang.org/grpc';
/** The scope of the agent's net/http spans (the EPP's scrapes of the model servers: proof the agent exports). */
export const AUTO_HTTP_SCOPE = 'go.opentelemetry.io/auto/net/http';

export interface HybridFinding {
  verdict: HybridVerdict;
  /** One sentence with the trace ids, for the output and the failure report. */
  text: string;
}

/**
 * The seed guide's central claim, measured: given the agent's ext_proc server span (in its trace) and the EPP's
 * own gateway.request spans of the same request window, do they share the trace, and descend from it?
 */
export function hybridVerdict(agentTrace: Trace, agentSpan: Span, eppRequests: Span[]): HybridFinding {
  const inTrace = agentTrace.spans.filter((s) => s.name === 'gateway.request');
  const below = inTrace.filter((s) => ancestors(agentTrace, s).some((a) => a.spanId === agentSpan.spanId));
  if (below.length > 0) {
    return {
      verdict: 'joined',
      text: `JOINED: the EPP's gateway.request ${below[0].spanId} descends from the agent's ${PROCESS_METHOD} span ${agentSpan.spanId} in trace ${agentTrace.traceId}`,
    };
  }
  if (inTrace.length > 0) {
    return {
      verdict: 'same-trace',
      text: `SAME TRACE, NOT BELOW: gateway.request ${inTrace[0].spanId} is in the agent span's trace ${agentTrace.traceId} but does not descend from span ${agentSpan.spanId}`,
    };
  }
  const others = [...new Set(eppRequests.map((s) => s.traceId))];
  return {
    verdict: 'separate',
    text:
      `SEPARATE: the agent's ${PROCESS_METHOD} span ${agentSpan.spanId} is in trace ${agentTrace.traceId}, ` +
      `the EPP's gateway.request in ${others.length ? `trace(s) ${others.join(', ')}` : 'no trace at all (no EPP spans)'}`,
  };
}
