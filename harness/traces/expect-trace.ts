import { checkContract, describeDeviation } from './contract-check';
import type { EppContract, Role } from './contracts/types';
import { ancestors, children, orphans, parent, roots, servicesCrossed, type Span, type Trace } from './model';
import { jaegerLink, renderTrace } from './render';
import { describeSelector, matches, matchValue, select, type Matcher, type SelectorLike } from './selector';

export class TraceAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceAssertionError';
  }
}

export interface ExpectOptions {
  jaegerUi?: string;
}

function spanLabel(s: Span): string {
  return `${s.service} ${s.name} [${s.kind}] (${s.spanId})`;
}

/** Assertions on one trace; each failure shows the selector, expected vs found, and the tree with the span marked. */
export class TraceExpectation {
  constructor(
    readonly trace: Trace,
    readonly opts: ExpectOptions = {},
  ) {}

  fail(headline: string, found: string, marked: Span[] = []): never {
    const tree = renderTrace(this.trace, { mark: new Set(marked.map((s) => s.spanId)) });
    const link = this.opts.jaegerUi ? `\njaeger: ${jaegerLink(this.opts.jaegerUi, this.trace.traceId)}` : '';
    throw new TraceAssertionError(`${headline}\nfound: ${found}\n\n${tree}${link}`);
  }

  span(sel: SelectorLike): SpanExpectation {
    return new SpanExpectation(this, sel);
  }

  hasNoSpan(sel: SelectorLike): this {
    const found = select(this.trace, sel);
    if (found.length) this.fail(`expected no ${describeSelector(sel)}`, found.map(spanLabel).join(', '), found);
    return this;
  }

  /**
   * Exactly one entry span and no orphans: every span reachable from one place. `externalParent` is the span id
   * of a caller that does not export its own span (e.g. the test client): a span parented by it is the entry.
   * `alsoEntering`: a span that enters from that same caller too, because its contract says so (an llm-d-router
   * EPP reads the client's traceparent from the HTTP headers Envoy forwards, so its gateway.request is the
   * client span's child beside Envoy's ingress); it must then be there, exactly once.
   */
  toBeOneConnectedTrace(opts: { externalParent?: string; alsoEntering?: SelectorLike } = {}): this {
    const lost = orphans(this.trace);
    const fromClient = lost.filter((o) => opts.externalParent && o.parentSpanId === opts.externalParent);
    const also = opts.alsoEntering ? fromClient.filter((o) => matches(o, opts.alsoEntering!)) : [];
    if (opts.alsoEntering && also.length !== 1) {
      this.fail(
        `expected exactly one ${describeSelector(opts.alsoEntering)} entering from the client span ${opts.externalParent} (its contract says so)`,
        `${also.length}; spans entering from it: ${fromClient.map(spanLabel).join(', ') || 'none'}`,
        also,
      );
    }
    const entries = [...roots(this.trace), ...fromClient.filter((o) => !also.includes(o))];
    const broken = lost.filter((o) => !opts.externalParent || o.parentSpanId !== opts.externalParent);
    if (entries.length === 1 && broken.length === 0) return this;
    const found = [
      `${entries.length} entry span(s)${entries.length ? `: ${entries.map(spanLabel).join(', ')}` : ''}`,
      broken.length
        ? `${broken.length} orphan(s): ${broken.map((o) => `${spanLabel(o)} parent=${o.parentSpanId}`).join(', ')}`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    return this.fail('expected one connected trace (one entry span, no orphans)', found, [
      ...(entries.length > 1 ? entries : []),
      ...broken,
    ]);
  }

  toCrossServices(services: string[]): this {
    const crossed = servicesCrossed(this.trace);
    const missing = services.filter((s) => !crossed.includes(s));
    if (missing.length)
      this.fail(
        `expected the trace to cross services [${services.join(', ')}]`,
        `services [${crossed.join(', ')}]; missing [${missing.join(', ')}]`,
      );
    return this;
  }

  toSatisfyContract(contract: EppContract, services: Partial<Record<Role, string>>): this {
    const deviations = checkContract(this.trace, contract, services);
    if (deviations.length === 0) return this;
    const names = new Set(deviations.map((d) => d.span));
    const marked = this.trace.spans.filter((s) => names.has(s.name));
    return this.fail(
      `expected the spans of ${contract.subject ?? `EPP ${contract.eppVersion}`} (contract basis: ${contract.basis})`,
      `${deviations.length} deviation(s):\n${deviations.map((d) => `  - ${describeDeviation(d)}`).join('\n')}`,
      marked,
    );
  }
}

/** Assertions on the spans a selector picks; with several matches, each one must pass. */
export class SpanExpectation {
  constructor(
    private readonly t: TraceExpectation,
    private readonly sel: SelectorLike,
  ) {}

  private get what(): string {
    return describeSelector(this.sel);
  }

  private spans(): Span[] {
    const found = select(this.t.trace, this.sel);
    if (found.length === 0) {
      const names = [...new Set(this.t.trace.spans.map((s) => `${s.service}/${s.name}`))].join(', ');
      this.t.fail(`expected a ${this.what}`, `none; spans present: ${names || '(none)'}`);
    }
    return found;
  }

  exists(): this {
    this.spans();
    return this;
  }

  hasChild(child: SelectorLike): this {
    for (const s of this.spans()) {
      const kids = children(this.t.trace, s);
      if (!kids.some((c) => matches(c, child))) {
        this.t.fail(
          `expected ${this.what} to have a child ${describeSelector(child)}`,
          kids.length ? `children: ${kids.map(spanLabel).join(', ')}` : 'no children',
          [s],
        );
      }
    }
    return this;
  }

  hasParent(p: SelectorLike): this {
    for (const s of this.spans()) {
      const actual = parent(this.t.trace, s);
      if (!actual || !matches(actual, p)) {
        const found = actual
          ? `parent is ${spanLabel(actual)}`
          : s.parentSpanId
            ? `parent ${s.parentSpanId} is not in this trace`
            : 'it is a root span';
        this.t.fail(`expected ${this.what} to have parent ${describeSelector(p)}`, found, [s]);
      }
    }
    return this;
  }

  isDescendantOf(a: SelectorLike): this {
    for (const s of this.spans()) {
      const up = ancestors(this.t.trace, s);
      if (!up.some((x) => matches(x, a))) {
        this.t.fail(
          `expected ${this.what} to descend from ${describeSelector(a)}`,
          `ancestors: ${up.map(spanLabel).join(' <- ') || 'none'}`,
          [s],
        );
      }
    }
    return this;
  }

  isRoot(): this {
    for (const s of this.spans()) {
      if (s.parentSpanId)
        this.t.fail(`expected ${this.what} to start its own trace (a root)`, `parent ${s.parentSpanId}`, [s]);
    }
    return this;
  }

  /** Parented by a span outside this trace's stored spans, e.g. the client's own span. */
  hasParentId(spanId: string): this {
    for (const s of this.spans()) {
      if (s.parentSpanId !== spanId)
        this.t.fail(
          `expected ${this.what} to have parent span id ${spanId}`,
          `parent ${s.parentSpanId ?? 'none (root)'}`,
          [s],
        );
    }
    return this;
  }

  hasAttributes(attrs: Record<string, Matcher>): this {
    return this.mapHas('attributes', attrs, (s) => s.attributes);
  }

  hasResource(attrs: Record<string, Matcher>): this {
    return this.mapHas('resource attributes', attrs, (s) => s.resource);
  }

  /** Span attributes and resource attributes are checked alike; only where the values live differs. */
  private mapHas(what: string, attrs: Record<string, Matcher>, of: (s: Span) => Span['attributes']): this {
    for (const s of this.spans()) {
      const values = of(s);
      const bad = Object.entries(attrs).filter(([k, want]) => !matchValue(want, values[k]));
      if (bad.length) {
        const found = bad
          .map(([k]) => `${k}=${values[k] === undefined ? '(absent)' : JSON.stringify(values[k])}`)
          .join(', ');
        this.t.fail(
          `expected ${this.what} to have ${what} ${describeSelector({ attributes: Object.fromEntries(bad) }).slice(4)}`,
          found,
          [s],
        );
      }
    }
    return this;
  }
}

export function expectTrace(trace: Trace, opts: ExpectOptions = {}): TraceExpectation {
  return new TraceExpectation(trace, opts);
}
