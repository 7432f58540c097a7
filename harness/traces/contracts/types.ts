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
  /** The spans of one completion request with the default plugin configuration. */
  spans: SpanContract[];
  notes: string;
}
