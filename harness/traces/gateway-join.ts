/**
 * Where the EPP's spans land relative to the trace a request passes Envoy with (the gateway-trace scenario): the
 * observation, and its check against the contract's joinsGatewayTrace. A known split passes only while it is
 * exactly as recorded; a version that starts joining fails, so the contract gets updated.
 */
import type { EppContract, GatewayJoin, GatewayTraceContract } from './contracts/types';
import { parent, type Span, type Trace } from './model';

export type GatewayCase = 'withoutClientContext' | 'withClientTraceparent';

export const CASE_WORDS: Record<GatewayCase, string> = {
  withoutClientContext: 'the client sends no traceparent (Envoy starts the trace)',
  withClientTraceparent: 'the client sends a traceparent through Envoy',
};

const JOIN_WORDS: Record<GatewayJoin, string> = {
  split: "a trace of its own, split from the gateway's",
  'child-of-client': "the gateway's trace, as a child of the client's span (skipping Envoy's spans)",
  'child-of-envoy': "the gateway's trace, as a child of Envoy's ext_proc span",
};

export interface GatewayObservation {
  /** What was seen, when it is one of the named relations; null when it is none of them. */
  join: GatewayJoin | null;
  /** In words, with the ids: printed in every message. */
  detail: string;
}

const EXT_PROC = /ExternalProcessor\.Process/;

/**
 * Classifies the EPP's gateway.request span of one request (`eppTrace`, the trace it is in) against the trace the
 * request went through Envoy with (`gatewayTraceId`), the client's span id when the client sent a traceparent.
 */
export function observeGatewayJoin(
  eppTrace: Trace,
  eppService: string,
  gatewayTraceId: string,
  clientSpanId?: string,
): GatewayObservation {
  const span = eppTrace.spans.find((s) => s.service === eppService && s.name === 'gateway.request');
  if (!span) return { join: null, detail: `no ${eppService} gateway.request span in trace ${eppTrace.traceId}` };
  if (eppTrace.traceId !== gatewayTraceId) {
    const how = span.parentSpanId ? `under an unknown parent ${span.parentSpanId}` : 'as a root';
    return {
      join: 'split',
      detail: `gateway.request is in trace ${eppTrace.traceId} ${how}, not in the gateway's trace ${gatewayTraceId}`,
    };
  }
  const p: Span | undefined = parent(eppTrace, span);
  if (p && EXT_PROC.test(p.name)) {
    return { join: 'child-of-envoy', detail: `gateway.request is the child of ${p.service} "${p.name}"` };
  }
  if (!p && clientSpanId && span.parentSpanId === clientSpanId) {
    return {
      join: 'child-of-client',
      detail: `gateway.request is the child of the client's span ${clientSpanId} in trace ${gatewayTraceId}`,
    };
  }
  const by = p ? `${p.service} "${p.name}"` : span.parentSpanId ? `unknown span ${span.parentSpanId}` : 'nothing';
  return { join: null, detail: `gateway.request is in the gateway's trace ${gatewayTraceId}, parented by ${by}` };
}

export interface GatewayVerdict {
  ok: boolean;
  /** For a pass: what to print (the known upstream defect, when there is one); for a failure: why. */
  message: string;
}

/** Checks an observation against the contract; the message names the version, the case, both sides and the fix. */
export function checkGatewayJoin(contract: EppContract, c: GatewayCase, seen: GatewayObservation): GatewayVerdict {
  const want: GatewayTraceContract | undefined = contract.joinsGatewayTrace;
  if (!want)
    throw new Error(`contract ${contract.eppVersion} says nothing about the gateway's trace (joinsGatewayTrace)`);
  const expected = want[c];
  const head = `EPP ${contract.eppVersion}, ${CASE_WORDS[c]}`;
  if (seen.join === expected) {
    const defect =
      expected !== 'child-of-envoy' && want.knownDefect
        ? `known upstream defect: ${want.knownDefect.summary} (${want.knownDefect.link}). `
        : '';
    return {
      ok: true,
      message: `${head}: the EPP's spans are in ${JOIN_WORDS[expected]}, as recorded. ${defect}${seen.detail}`,
    };
  }
  return {
    ok: false,
    message:
      `${head}: the contract says the EPP's spans are in ${JOIN_WORDS[expected]}, but ${seen.detail}` +
      `${seen.join ? ` (${JOIN_WORDS[seen.join]})` : ''}.\n` +
      `The upstream behaviour is not as recorded: if this is the fix of ${want.knownDefect?.link ?? 'a known defect'}, ` +
      `update joinsGatewayTrace.${c} of ${contract.eppVersion} in harness/traces/contracts/.`,
  };
}
