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
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Fault } from './faults';
import { LLM_REQUEST_SPAN } from './span-attributes';

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
  slowExport: boolean;
}): MockTracing | undefined {
  const exporter = opts.exporter ?? (opts.otlpEndpoint ? new OTLPTraceExporter({ url: opts.otlpEndpoint }) : undefined);
  if (!exporter) return undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...opts.resourceAttributes, [ATTR_SERVICE_NAME]: opts.serviceName }),
    spanProcessors: [
      // A short delay so scenarios see spans quickly; `slow-export` holds them long enough to miss a deadline.
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.slowExport ? 30000 : 50 }),
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
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export function setAttributes(span: Span | undefined, attrs: Attributes): void {
  if (!span) return;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) span.setAttribute(k, v);
}
