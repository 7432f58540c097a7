/**
 * One normalized trace model, built from Jaeger's api_v3 answers (OTLP JSON: hex ids, integer enums). We read
 * api_v3 rather than the legacy /api/traces JSON because only it keeps resource attributes, scopes, span kind,
 * status and links as OTLP has them (and the legacy search endpoints are being removed upstream).
 */

export type AttrValue = string | number | boolean | AttrValue[] | { [k: string]: AttrValue } | null;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  status: { code: StatusCode; message?: string };
  service: string;
  resource: Record<string, AttrValue>;
  scope: { name: string; version?: string };
  attributes: Record<string, AttrValue>;
  startNs: bigint;
  endNs: bigint;
  durationMs: number;
  links: { traceId: string; spanId: string; attributes: Record<string, AttrValue> }[];
  events: { name: string; timeNs: bigint; attributes: Record<string, AttrValue> }[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: StatusCode[] = ['unset', 'ok', 'error'];

/* eslint-disable @typescript-eslint/no-explicit-any */
export function anyValue(v: any): AttrValue {
  if (v === undefined || v === null) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes(v.kvlistValue?.values);
  if ('bytesValue' in v) return v.bytesValue;
  return null;
}

export function attributes(list: any[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  // Jaeger adds its own `@jaeger@warnings` (e.g. clock-skew notes); they are not the service's attributes.
  for (const a of list ?? []) if (!String(a.key).startsWith('@jaeger@')) out[a.key] = anyValue(a.value);
  return out;
}

function kindOf(k: any): SpanKind {
  if (typeof k === 'number') return KINDS[k] ?? 'unspecified';
  const s = String(k ?? '')
    .toLowerCase()
    .replace('span_kind_', '');
  return (KINDS as string[]).includes(s) ? (s as SpanKind) : 'unspecified';
}

function statusOf(s: any): { code: StatusCode; message?: string } {
  const c = s?.code;
  const code =
    typeof c === 'number'
      ? (STATUS[c] ?? 'unset')
      : ((String(c ?? 'unset')
          .toLowerCase()
          .replace('status_code_', '') as StatusCode) ?? 'unset');
  return s?.message ? { code, message: s.message } : { code };
}

/** Splits one api_v3 body (one JSON object, or several concatenated chunks) into traces by trace id. */
export function fromOtlpJson(body: unknown): Trace[] {
  const docs = Array.isArray(body) ? body : [body];
  const byTrace = new Map<string, Span[]>();
  for (const doc of docs as any[]) {
    for (const rs of doc?.result?.resourceSpans ?? doc?.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      const service = String(resource['service.name'] ?? 'unknown_service');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const startNs = BigInt(s.startTimeUnixNano ?? 0);
          const endNs = BigInt(s.endTimeUnixNano ?? 0);
          const span: Span = {
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: kindOf(s.kind),
            status: statusOf(s.status),
            service,
            resource,
            scope: { name: ss.scope?.name ?? '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) },
            attributes: attributes(s.attributes),
            startNs,
            endNs,
            durationMs: Number(endNs - startNs) / 1e6,
            links: (s.links ?? []).map((l: any) => ({
              traceId: l.traceId,
              spanId: l.spanId,
              attributes: attributes(l.attributes),
            })),
            events: (s.events ?? []).map((e: any) => ({
              name: e.name,
              timeNs: BigInt(e.timeUnixNano ?? 0),
              attributes: attributes(e.attributes),
            })),
          };
          const list = byTrace.get(span.traceId) ?? [];
          list.push(span);
          byTrace.set(span.traceId, list);
        }
      }
    }
  }
  return [...byTrace.entries()].map(([traceId, spans]) => ({
    traceId,
    spans: spans.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0)),
  }));
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Parses a body that may hold several JSON objects back to back (a chunked api_v3 answer). */
export function parseJsonChunks(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

export function spanById(t: Trace, id: string | undefined): Span | undefined {
  return id === undefined ? undefined : t.spans.find((s) => s.spanId === id);
}

export function parent(t: Trace, s: Span): Span | undefined {
  return spanById(t, s.parentSpanId);
}

export function children(t: Trace, s: Span): Span[] {
  return t.spans.filter((c) => c.parentSpanId === s.spanId);
}

/** Spans with no parent id: where the trace starts. */
export function roots(t: Trace): Span[] {
  return t.spans.filter((s) => !s.parentSpanId);
}

/** Spans whose parent id is not in the trace: a broken link (or a parent outside what was exported). */
export function orphans(t: Trace): Span[] {
  return t.spans.filter((s) => s.parentSpanId && !spanById(t, s.parentSpanId));
}

export function ancestors(t: Trace, s: Span): Span[] {
  const out: Span[] = [];
  const seen = new Set<string>();
  for (let p = parent(t, s); p && !seen.has(p.spanId); p = parent(t, p)) {
    seen.add(p.spanId);
    out.push(p);
  }
  return out;
}

export function descendants(t: Trace, s: Span): Span[] {
  const out: Span[] = [];
  const queue = children(t, s);
  while (queue.length) {
    const c = queue.shift()!;
    out.push(c);
    queue.push(...children(t, c));
  }
  return out;
}

/** The spans from `from` down to `to` (both included), if `to` descends from `from`. */
export function pathBetween(t: Trace, from: Span, to: Span): Span[] | undefined {
  if (from.spanId === to.spanId) return [from];
  const up = ancestors(t, to);
  const at = up.findIndex((s) => s.spanId === from.spanId);
  if (at < 0) return undefined;
  return [...up.slice(0, at + 1).reverse(), to];
}

/** Services in order of first appearance (by start time). */
export function servicesCrossed(t: Trace): string[] {
  return [...new Set(t.spans.map((s) => s.service))];
}
