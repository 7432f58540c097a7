import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Fault } from './faults';
import { SENTINEL_SPAN } from '../traces/sentinel';
import { LLM_REQUEST_SPAN } from './span-attributes';

/** The mock's batch span processor delay: what the flush horizon counts on. */
export const MOCK_FLUSH_MS = 50;

const propagator = new W3CTraceContextPropagator();

const headerGetter = {
  get: (carrier: IncomingHttpHeaders, key: string): string | undefined => {
    const v = carrier[key.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  },
  keys: (carrier: IncomingHttpHeaders): string[] => Object.keys(carrier),
};

export interface MockTracing {
  startRequestSpan(headers: IncomingHttpHeaders, faults: ReadonlySet<Fault>, startTime: number): Span | undefined;
  /** Ends a flush-horizon sentinel span in the incoming context at once (see harness/traces/flush-horizon.ts). */
  sentinel(headers: IncomingHttpHeaders): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * One tracer provider per server instance (nothing registered globally, so servers in one test process do not
 * share state). The span is parented by the incoming W3C trace context, as vLLM does.
 */
export function createTracing(opts: {
  serviceName: string;
  resourceAttributes: Record<string, string>;
  otlpEndpoint?: string;
  exporter?: SpanExporter;
  /** Whether `slow-export` is on now: read per export, so the switch also works when flipped at run time. */
  slowExport: () => boolean;
}): MockTracing | undefined {
  const inner = opts.exporter ?? (opts.otlpEndpoint ? new OTLPTraceExporter({ url: opts.otlpEndpoint }) : undefined);
  if (!inner) return undefined;
  const exporter = new HoldingExporter(inner, opts.slowExport);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...opts.resourceAttributes, [ATTR_SERVICE_NAME]: opts.serviceName }),
    spanProcessors: [
      // A short delay so scenarios see spans quickly; `slow-export` holds them (HoldingExporter) past any wait.
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: MOCK_FLUSH_MS,
        exportTimeoutMillis: SLOW_EXPORT_MS + 30000,
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('epp-otel-e2e/mock-vllm');
  return {
    startRequestSpan(headers, faults, startTime) {
      if (faults.has('no-spans')) return undefined;
      const incoming = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      const incomingSpan = trace.getSpanContext(incoming);
      let parent: Context = incoming;
      const links: Link[] = [];
      if (faults.has('drop-traceparent')) parent = ROOT_CONTEXT;
      if (faults.has('new-root-trace')) {
        parent = ROOT_CONTEXT;
        if (incomingSpan) links.push({ context: incomingSpan });
      }
      if (faults.has('orphan-parent') && incomingSpan) {
        parent = trace.setSpanContext(ROOT_CONTEXT, { ...incomingSpan, spanId: randomBytes(8).toString('hex') });
      }
      const name = faults.has('wrong-span-name') ? `${LLM_REQUEST_SPAN}_v2` : LLM_REQUEST_SPAN;
      return tracer.startSpan(name, { kind: SpanKind.SERVER, startTime, links }, parent ?? context.active());
    },
    // Tracing faults (no-spans, drop-traceparent...) leave it alone: it tests the exporter, which they do not
    // touch; slow-export does hold it, as it holds every batch.
    sentinel(headers) {
      const incoming = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      tracer.startSpan(SENTINEL_SPAN, { kind: SpanKind.INTERNAL }, incoming).end();
    },
    flush: () => provider.forceFlush(),
    shutdown: () => {
      exporter.release();
      return provider.shutdown();
    },
  };
}

/** How long `slow-export` holds a batch: longer than any scenario waits for a span (20 s by default). */
export const SLOW_EXPORT_MS = 30000;

/**
 * Exports as the inner exporter does, except that while `slow()` holds, a batch waits SLOW_EXPORT_MS first. On
 * shutdown held batches go out at once, so stopping a mock never waits for the hold.
 */
export class HoldingExporter implements SpanExporter {
  private readonly held = new Set<{ timer: NodeJS.Timeout; send: () => void }>();
  private released = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly slow: () => boolean,
    private readonly holdMs = SLOW_EXPORT_MS,
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    if (this.released || !this.slow()) return this.inner.export(spans, done);
    const entry = {
      send: () => {
        clearTimeout(entry.timer);
        this.held.delete(entry);
        this.inner.export(spans, done);
      },
      timer: setTimeout(() => entry.send(), this.holdMs),
    };
    this.held.add(entry);
  }

  /** Sends what is held and holds nothing more: the span processor's own shutdown flushes through here first. */
  release(): void {
    this.released = true;
    for (const h of [...this.held]) h.send();
  }

  async shutdown(): Promise<void> {
    this.release();
    await this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }
}

export function setAttributes(span: Span | undefined, attrs: Attributes): void {
  if (!span) return;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) span.setAttribute(k, v);
}
