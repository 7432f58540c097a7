import type { EppContract, Role, SpanContract } from './contracts/types';
import { parent as parentOf, type Span, type Trace } from './model';

export type Deviation =
  | { kind: 'missing'; span: string }
  | { kind: 'unexpected'; span: string }
  | { kind: 'wrong-kind'; span: string; expected: string; found: string }
  | { kind: 'wrong-parent'; span: string; expected: string; found: string }
  | { kind: 'wrong-scope'; span: string; expected: string; found: string }
  | { kind: 'missing-attribute'; span: string; key: string };

export function describeDeviation(d: Deviation): string {
  switch (d.kind) {
    case 'missing':
      return `missing span ${d.span}`;
    case 'unexpected':
      return `unexpected span ${d.span}`;
    case 'wrong-kind':
      return `${d.span}: kind ${d.found}, expected ${d.expected}`;
    case 'wrong-parent':
      return `${d.span}: parent ${d.found}, expected ${d.expected}`;
    case 'wrong-scope':
      return `${d.span}: scope ${d.found}, expected ${d.expected}`;
    case 'missing-attribute':
      return `${d.span}: missing attribute ${d.key}`;
  }
}

function describeParent(t: Trace, s: Span): string {
  if (!s.parentSpanId) return 'root';
  const p = parentOf(t, s);
  return p ? p.name : 'incoming';
}

/** The spans of a contract for one plugin configuration (the default one when none is named). */
export function contractSpans(contract: EppContract, config?: string): SpanContract[] {
  if (!config) return contract.spans;
  const c = contract.configs?.[config];
  if (!c) throw new Error(`contract ${contract.eppVersion} has no configuration "${config}"`);
  return [...contract.spans.filter((s) => !c.remove.includes(s.name)), ...c.add];
}

/**
 * Compares the spans of one request against a contract and returns EVERY deviation at once, so an upgrade
 * shows its whole effect in one run instead of one failure at a time. Only spans of the contract's roles
 * (by service name) are considered "ours": other services' spans in the trace are not unexpected.
 */
export function checkContract(
  t: Trace,
  contract: EppContract,
  services: Partial<Record<Role, string>>,
  config?: string,
): Deviation[] {
  const out: Deviation[] = [];
  contract = { ...contract, spans: contractSpans(contract, config) };
  const roles = new Set(contract.spans.map((s) => s.role));
  const ours = t.spans.filter((s) => [...roles].some((r) => services[r] === s.service));
  for (const want of contract.spans) {
    const found = ours.filter((s) => s.name === want.name && s.service === services[want.role]);
    if (found.length === 0) {
      if (!want.optional) out.push({ kind: 'missing', span: want.name });
      continue;
    }
    for (const s of found) {
      if (s.kind !== want.kind) out.push({ kind: 'wrong-kind', span: want.name, expected: want.kind, found: s.kind });
      if (want.parent !== undefined) {
        const got = describeParent(t, s);
        const ok = want.parent === 'incoming-or-root' ? got === 'incoming' || got === 'root' : got === want.parent;
        if (!ok) out.push({ kind: 'wrong-parent', span: want.name, expected: want.parent, found: got });
      }
      if (want.scope !== undefined && s.scope.name !== want.scope) {
        out.push({ kind: 'wrong-scope', span: want.name, expected: want.scope, found: s.scope.name });
      }
      for (const key of want.requiredAttributes) {
        if (s.attributes[key] === undefined) out.push({ kind: 'missing-attribute', span: want.name, key });
      }
    }
  }
  const known = new Set(contract.spans.map((s) => s.name));
  for (const name of new Set(ours.map((s) => s.name)))
    if (!known.has(name)) out.push({ kind: 'unexpected', span: name });
  return out;
}
