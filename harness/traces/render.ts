import { children, orphans, roots, type AttrValue, type Span, type Trace } from './model';

export interface RenderOptions {
  /** Span ids to mark with `>>` (e.g. the span an assertion failed on). */
  mark?: Set<string>;
  /** Attribute keys worth showing inline (all others stay in the JSON artifact). */
  keyAttributes?: string[];
  jaegerUi?: string;
}

/** Attributes that say most about a span of this system, shown inline when present. */
export const DEFAULT_KEY_ATTRIBUTES = [
  'target_model',
  'http.status_code',
  'upstream_cluster',
  'gen_ai.request.id',
  'gen_ai.response.model',
  'status',
];

function fmt(v: AttrValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function line(s: Span, depth: number, opts: RenderOptions): string {
  const mark = opts.mark?.has(s.spanId) ? '>> ' : '   ';
  const keys = (opts.keyAttributes ?? DEFAULT_KEY_ATTRIBUTES).filter((k) => s.attributes[k] !== undefined);
  const attrs = keys.map((k) => `${k}=${fmt(s.attributes[k])}`).join(' ');
  const status = s.status.code === 'error' ? ' ERROR' : '';
  return `${mark}${'  '.repeat(depth)}${s.service}  ${s.name}  [${s.kind}]${attrs ? `  ${attrs}` : ''}${status}  ${s.durationMs.toFixed(1)}ms`;
}

function walk(t: Trace, s: Span, depth: number, opts: RenderOptions, out: string[], seen: Set<string>): void {
  if (seen.has(s.spanId)) return;
  seen.add(s.spanId);
  out.push(line(s, depth, opts));
  for (const c of children(t, s)) walk(t, c, depth + 1, opts, out, seen);
}

/**
 * The trace as an indented tree (children by start time), then orphans (spans whose parent is not in the
 * trace) under their own heading, since a broken parent link is what propagation failures look like.
 */
export function renderTrace(t: Trace, opts: RenderOptions = {}): string {
  const out = [
    `trace ${t.traceId} (${t.spans.length} spans)${opts.jaegerUi ? `  ${jaegerLink(opts.jaegerUi, t.traceId)}` : ''}`,
  ];
  const seen = new Set<string>();
  for (const r of roots(t)) walk(t, r, 0, opts, out, seen);
  const lost = orphans(t);
  if (lost.length) {
    out.push('   -- orphans (parent span not in this trace) --');
    for (const o of lost) {
      out.push(`${line(o, 0, opts)}  parent=${o.parentSpanId}`);
      seen.add(o.spanId);
      for (const c of children(t, o)) walk(t, c, 1, opts, out, seen);
    }
  }
  return out.join('\n');
}

export function jaegerLink(jaegerUi: string, traceId: string): string {
  return `${jaegerUi.replace(/\/$/, '')}/trace/${traceId}`;
}
