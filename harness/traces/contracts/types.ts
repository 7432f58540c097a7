import type { SpanKind } from '../model';

/** Which component a span belongs to; a contract is checked against the service names of the running topology. */
export type Role = 'epp' | 'envoy' | 'model';

export interface SpanContract {
  name: string;
  kind: SpanKind;
  role: Role;
  /**
   * Who its parent is: a span name of the same contract, `incoming` (the context the request arrived with, i.e.
   * the span is not a root of a new trace), `root` (it starts its own trace), `incoming-or-root` (the incoming
   * context when the request carried one the EPP reads, else a root), or undefined (not checked).
   */
  parent?: string | 'incoming' | 'root' | 'incoming-or-root';
  requiredAttributes: string[];
  /** The instrumentation scope (tracer name) it is emitted under, when checked. */
  scope?: string;
  /** Present only in some configurations (e.g. a plugin that is not always enabled). */
  optional?: boolean;
}

/**
 * Where the EPP's spans land relative to the trace a request arrives through Envoy with: `split` (a trace of its
 * own), `child-of-client` (the client's span is the parent: the EPP read the client's traceparent from the HTTP
 * headers Envoy forwards, which skips Envoy's spans), `child-of-envoy` (Envoy's ext_proc span is the parent: the
 * EPP read the context Envoy hands it in the ext_proc gRPC metadata).
 */
export type GatewayJoin = 'split' | 'child-of-client' | 'child-of-envoy';

export interface GatewayTraceContract {
  /** The client sends no traceparent: Envoy starts the trace, and hands it on only in the ext_proc gRPC metadata. */
  withoutClientContext: GatewayJoin;
  /** The client sends a traceparent through Envoy. */
  withClientTraceparent: GatewayJoin;
  /** Why it is not `child-of-envoy`, with the upstream issue; printed when the known behaviour is observed. */
  knownDefect?: { summary: string; link: string };
}

export interface EppContract {
  /** The versions.yaml name it describes, e.g. gie-v1.5.0. */
  eppVersion: string;
  /** What a failure calls it, when not `EPP <eppVersion>` (the model server's contract). */
  subject?: string;
  /** `recorded`: checked against spans this harness recorded from the real binary; `source-reading`: not run here. */
  basis: 'recorded' | 'source-reading';
  /**
   * Whether the EPP continues the trace the request arrived with: a W3C traceparent among the HTTP request
   * headers of the ext_proc stream (not gRPC metadata; see joinsGatewayTrace).
   */
  joinsIncomingTrace: boolean;
  /**
   * How the EPP's spans relate to a trace that passes Envoy (the gateway-trace scenario checks it); every EPP
   * contract has it (a unit test says so), the model server's has not.
   */
  joinsGatewayTrace?: GatewayTraceContract;
  /**
   * What the operator's Go eBPF agent and the EPP's own SDK make of one request together (local operator mode,
   * on this kind of kernel: lockdown "integrity", so the agent's context-writing probes are off). Observed, not
   * wished: the hybrid scenario fails when reality differs either way.
   */
  hybrid?: HybridContract;
  /** The spans of one completion request with the default plugin configuration. */
  spans: SpanContract[];
  /**
   * How the spans of other plugin configurations (llm-d: `pd`, `kv-events`; components/llmd-plugins.ts) differ
   * from the default one's: spans they add, and default spans they do not make (e.g. the scorers they do not
   * configure). Checked against recordings made with that configuration (fixtures/traces/README.md).
   */
  configs?: Record<string, { add: SpanContract[]; remove: string[] }>;
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
