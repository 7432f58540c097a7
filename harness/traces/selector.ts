import type { AttrValue, Span, SpanKind, Trace } from './model';

export type Matcher = string | number | boolean | RegExp | ((v: AttrValue | undefined) => boolean);

/** Selects spans like Tracetest's `span[name="x" service.name="y"]`: every given field must match. */
export interface SpanSelector {
  name?: string | RegExp;
  service?: string | RegExp;
  kind?: SpanKind;
  attributes?: Record<string, Matcher>;
}

export type SelectorLike = string | SpanSelector;

export function toSelector(s: SelectorLike): SpanSelector {
  return typeof s === 'string' ? { name: s } : s;
}

function matchText(want: string | RegExp, got: string): boolean {
  return typeof want === 'string' ? want === got : want.test(got);
}

export function matchValue(want: Matcher, got: AttrValue | undefined): boolean {
  if (typeof want === 'function') return want(got);
  if (want instanceof RegExp) return got !== undefined && got !== null && want.test(String(got));
  return got === want || (got !== undefined && got !== null && String(got) === String(want));
}

export function matches(span: Span, sel: SelectorLike): boolean {
  const s = toSelector(sel);
  if (s.name !== undefined && !matchText(s.name, span.name)) return false;
  if (s.service !== undefined && !matchText(s.service, span.service)) return false;
  if (s.kind !== undefined && s.kind !== span.kind) return false;
  for (const [k, want] of Object.entries(s.attributes ?? {})) if (!matchValue(want, span.attributes[k])) return false;
  return true;
}

export function select(t: Trace, sel: SelectorLike): Span[] {
  return t.spans.filter((s) => matches(s, sel));
}

function describeMatcher(m: Matcher): string {
  if (typeof m === 'function') return `<${m.name || 'predicate'}>`;
  if (m instanceof RegExp) return String(m);
  return JSON.stringify(m);
}

/** `span[name="gateway.request" service="llm-d-epp" kind=server]`, for messages. */
export function describeSelector(sel: SelectorLike): string {
  const s = toSelector(sel);
  const parts: string[] = [];
  if (s.name !== undefined) parts.push(`name=${describeMatcher(s.name)}`);
  if (s.service !== undefined) parts.push(`service=${describeMatcher(s.service)}`);
  if (s.kind !== undefined) parts.push(`kind=${s.kind}`);
  for (const [k, v] of Object.entries(s.attributes ?? {})) parts.push(`${k}=${describeMatcher(v)}`);
  return `span[${parts.join(' ')}]`;
}
