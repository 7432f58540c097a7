import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { HoldingExporter } from './tracing';

/** An exporter that records what reached it and when. */
function recorder(): SpanExporter & { got: number[] } {
  const got: number[] = [];
  return {
    got,
    export: (spans: ReadableSpan[], done: (r: ExportResult) => void) => {
      got.push(spans.length);
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  };
}

const spans = (n: number): ReadableSpan[] => new Array(n).fill({}) as ReadableSpan[];

describe('slow-export (HoldingExporter)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes batches straight through while the switch is off, and holds them while it is on', () => {
    let slow = false;
    const inner = recorder();
    const ex = new HoldingExporter(inner, () => slow, 30000);
    const done = jest.fn();
    ex.export(spans(1), done);
    expect(inner.got).toEqual([1]);
    slow = true; // flipped at run time, as /admin/faults does
    ex.export(spans(2), done);
    jest.advanceTimersByTime(29999);
    expect(inner.got).toEqual([1]);
    jest.advanceTimersByTime(1);
    expect(inner.got).toEqual([1, 2]);
    expect(done).toHaveBeenCalledTimes(2);
  });

  it('sends what it holds at once on release (stopping a mock never waits for the hold)', () => {
    const inner = recorder();
    const ex = new HoldingExporter(inner, () => true, 30000);
    ex.export(spans(3), () => undefined);
    expect(inner.got).toEqual([]);
    ex.release();
    expect(inner.got).toEqual([3]);
    ex.export(spans(1), () => undefined);
    expect(inner.got).toEqual([3, 1]);
  });
});
