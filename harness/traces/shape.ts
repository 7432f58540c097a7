import { createHash } from 'node:crypto';
import { children, orphans, roots, type Span, type SpanKind, type Trace } from './model';

/**
 * A trace reduced to what should not change between two runs of the same versions: which spans, of which
 * services, kinds and scopes, under which parents, with which attribute KEYS. No ids, values or timings. This is
 * what an upgrade check compares.
 */
export interface ShapeNode {
  service: string;
  name: string;
  kind: SpanKind;
  scope: string;
  attributeKeys: string[];
  /** True for an entry span whose parent was outside the trace (e.g. the client's span). */
  externalParent?: boolean;
  children: ShapeNode[];
}

function node(t: Trace, s: Span, external: boolean): ShapeNode {
  return {
    service: s.service,
    name: s.name,
    kind: s.kind,
    scope: s.scope.name,
    attributeKeys: Object.keys(s.attributes).sort(),
    ...(external ? { externalParent: true } : {}),
    children: children(t, s)
      .map((c) => node(t, c, false))
      .sort(compareNodes),
  };
}

function compareNodes(a: ShapeNode, b: ShapeNode): number {
  return `${a.service}\0${a.name}\0${a.kind}`.localeCompare(`${b.service}\0${b.name}\0${b.kind}`);
}

/** Repeated identical siblings (e.g. one span per request of a batch) collapse into one. */
function dedupe(nodes: ShapeNode[]): ShapeNode[] {
  const seen = new Map<string, ShapeNode>();
  for (const n of nodes) {
    const withKids = { ...n, children: dedupe(n.children) };
    seen.set(JSON.stringify(withKids), withKids);
  }
  return [...seen.values()].sort(compareNodes);
}

export function traceShape(t: Trace): ShapeNode[] {
  const entries = [...roots(t).map((s) => node(t, s, false)), ...orphans(t).map((s) => node(t, s, true))];
  return dedupe(entries);
}

export function shapeFingerprint(shape: ShapeNode[]): string {
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

interface FlatSpan {
  path: string;
  parentPath: string;
  label: string;
  kind: SpanKind;
  scope: string;
  attributeKeys: string[];
}

function flatten(nodes: ShapeNode[], parentPath = '', out = new Map<string, FlatSpan>()): Map<string, FlatSpan> {
  for (const n of nodes) {
    const label = `${n.service}/${n.name}`;
    const path = parentPath ? `${parentPath} > ${label}` : label;
    out.set(path, { path, parentPath, label, kind: n.kind, scope: n.scope, attributeKeys: n.attributeKeys });
    flatten(n.children, path, out);
  }
  return out;
}

/**
 * Readable differences between two shapes, one per line: `+`/`-` spans, `~` for a rename (best guess: a removed
 * and an added span under the same parent with the same kind), a move to another parent, and changes of kind,
 * scope or attribute keys. An empty list means the same shape.
 */
export function diffShapes(before: ShapeNode[], after: ShapeNode[]): string[] {
  const a = flatten(before);
  const b = flatten(after);
  const out: string[] = [];
  const removed = [...a.values()].filter((s) => !b.has(s.path));
  const added = [...b.values()].filter((s) => !a.has(s.path));
  const consumed = new Set<FlatSpan>();
  for (const r of removed) {
    const moved = added.find((x) => !consumed.has(x) && x.label === r.label);
    if (moved) {
      consumed.add(r).add(moved);
      out.push(`~ moved ${r.label}: parent ${r.parentPath || '(entry)'} -> ${moved.parentPath || '(entry)'}`);
      continue;
    }
    const renamed = added.find(
      (x) =>
        !consumed.has(x) &&
        x.parentPath === r.parentPath &&
        x.kind === r.kind &&
        x.label.split('/')[0] === r.label.split('/')[0],
    );
    if (renamed) {
      consumed.add(r).add(renamed);
      out.push(`~ renamed ${r.label} -> ${renamed.label} (same parent and kind)`);
    }
  }
  for (const r of removed) if (!consumed.has(r)) out.push(`- span ${r.path} [${r.kind}]`);
  for (const x of added) if (!consumed.has(x)) out.push(`+ span ${x.path} [${x.kind}]`);
  for (const [path, s] of a) {
    const t = b.get(path);
    if (!t) continue;
    if (s.kind !== t.kind) out.push(`~ kind of ${path}: ${s.kind} -> ${t.kind}`);
    if (s.scope !== t.scope) out.push(`~ scope of ${path}: ${s.scope} -> ${t.scope}`);
    const plus = t.attributeKeys.filter((k) => !s.attributeKeys.includes(k));
    const minus = s.attributeKeys.filter((k) => !t.attributeKeys.includes(k));
    if (plus.length || minus.length) {
      out.push(`~ attribute keys of ${path}: ${[...plus.map((k) => `+${k}`), ...minus.map((k) => `-${k}`)].join(' ')}`);
    }
  }
  return out;
}
