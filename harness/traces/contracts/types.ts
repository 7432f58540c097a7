import type { SpanKind } from '../model';

/** Which component a span belongs to; a contract is checked against the service names of the running topology. */
export type Role = 'epp' | 'envoy' | 'model';

export interface SpanContract {
  name: string;
  kind: SpanKind;
  role: Role;
  /**
   * Who its parent is: a span name of the same contract, `incoming` (the context the request arrived with, i.e.
   * the span is not a root of a new trace), `root` (it starts its own trace), or undefined (not checked).
   */
  parent?: string | 'incoming' | 'root';
  requiredAttributes: string[];
  /** The instrumentation scope (tracer name) it is emitted under, when checked. */
  scope?: string;
  /** Present only in some configurations (e.g. a plugin that is not always enabled). */
  optional?: boolean;
}

export interface EppContract {
  /** The versions.yaml name it describes, e.g. gie-v1.5.0. */
  eppVersion: string;
  /** What a failure calls it, when not `EPP <eppVersion>` (the model server's contract). */
  subject?: string;
  /** `recorded`: checked against spans this harness recorded from the real binary; `source-reading`: not run here. */
  basis: 'recorded' | 'source-reading';
  /** Whether the EPP continues the trace the request arrived with (extracts W3C traceparent). */
  joinsIncomingTrace: boolean;
  /**
   * What the operator's Go eBPF agent and the EPP's own SDK make of one request together (local operator mode,
   * on this kind of kernel: lockdown "integrity", so the agent's context-writing probes are off). Observed, not
   * wished: the hybrid scenario fails when reality differs either way.
   */
  hybrid?: HybridContract;
  /** The spans of one completion request with the default plugin configuration. */
  spans: SpanContract[];
  notes: string;
}

/**
 * Do the EPP's own gateway.request spans share the trace of the agent's gRPC server span for the ext_proc
 * stream, and descend from it? `same-trace` means in the trace but not below the agent's span; `no-agent-span`
 * that the agent, though exporting (its net/http client spans arrive), emits no ext_proc server span at all.
 */
export type HybridVerdict = 'joined' | 'same-trace' | 'separate' | 'no-agent-span';

export interface HybridContract {
  /** A request through Envoy with a client traceparent. */
  withTraceparent: HybridVerdict;
  /** An ext_proc call that carries no traceparent metadata: is the agent's server span exported at all? */
  withoutTraceparent: 'exported' | 'dropped';
  /** Why, and the upstream issue for behaviour that is a known upstream bug. */
  why: string;
  upstream?: string;
}
