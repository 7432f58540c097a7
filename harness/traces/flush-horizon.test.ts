import { reachFlushHorizon, describeArrivals, type SpanSource } from './flush-horizon';
import type { Trace } from './model';

/** A fake Jaeger: a trace holds a span of a service once that service's sentinel "arrived". */
function store(): { getTrace: (id: string) => Promise<Trace | undefined>; put: (id: string, service: string) => void } {
  const traces = new Map<string, Trace>();
  return {
    getTrace: async (id) => traces.get(id),
    put: (id, service) =>
      traces.set(id, {
        traceId: id,
        spans: [
          { service, name: 'sentinel', spanId: 'a', traceId: id, attributes: {} } as unknown as Trace['spans'][0],
        ],
      } as Trace),
  };
}

function source(service: string, send: SpanSource['sendSentinel'], component = service): SpanSource {
  return { service, component, flushMs: 100, sendSentinel: send };
}

const opts = { deadlineMs: 300, pollMs: 5 };

describe('flush horizon', () => {
  it('is complete once every source ended a span that Jaeger holds, and names the sentinel traces', async () => {
    const jaeger = store();
    const marked: string[] = [];
    let n = 0;
    const sends =
      (service: string): SpanSource['sendSentinel'] =>
      async (mark) => {
        const id = `t${++n}`;
        mark(id);
        setTimeout(() => jaeger.put(id, service), 20);
        return id;
      };
    const v = await reachFlushHorizon(
      [
        source('envoy-gateway', sends('envoy-gateway'), 'envoy'),
        source('mock-vllm', sends('mock-vllm'), 'mock-vllm-0'),
      ],
      jaeger.getTrace,
      new AbortController().signal,
      { ...opts, onSentinel: (id) => marked.push(id) },
    );
    expect(v.complete).toBe(true);
    expect(v.arrivals.map((a) => a.component)).toEqual(['envoy', 'mock-vllm-0']);
    expect(marked.sort()).toEqual(['t1', 't2']);
    expect(describeArrivals(v.arrivals)).toMatch(
      /^envoy-gateway \(envoy\) \d+\.\d\d s, mock-vllm \(mock-vllm-0\) \d+\.\d\d s$/,
    );
  });

  it('sends again while a sentinel made no sampled span (the EPP sampler dropped it)', async () => {
    const jaeger = store();
    let tries = 0;
    const v = await reachFlushHorizon(
      [
        source('llm-d-epp', async () => {
          tries++;
          if (tries < 3) return undefined;
          jaeger.put('sampled', 'llm-d-epp');
          return 'sampled';
        }),
      ],
      jaeger.getTrace,
      new AbortController().signal,
      opts,
    );
    expect(v.complete).toBe(true);
    expect(tries).toBe(3);
  });

  it('is incomplete, naming the silent source, when a sentinel is not in Jaeger by the deadline', async () => {
    const jaeger = store();
    const before = Date.now();
    const v = await reachFlushHorizon(
      [
        source('envoy-gateway', async () => {
          jaeger.put('e', 'envoy-gateway');
          return 'e';
        }),
        source('llm-d-epp', async () => 'lost', 'epp'),
        source(
          'mock-vllm',
          async () => {
            throw new Error('connect ECONNREFUSED');
          },
          'mock-vllm-1',
        ),
      ],
      jaeger.getTrace,
      new AbortController().signal,
      opts,
    );
    if (v.complete) throw new Error('expected an incomplete verdict');
    expect(v.arrivals.map((a) => a.service)).toEqual(['envoy-gateway']);
    expect(v.silent.map((s) => [s.component, s.why])).toEqual([
      ['epp', expect.stringMatching(/^its sentinel span \(trace lost\) was not in Jaeger 0\.\d s after it was sent$/)],
      ['mock-vllm-1', 'sending its sentinel failed: connect ECONNREFUSED'],
    ]);
    expect(v.silent[0].sentAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('stops when the wait that asked for it has ended', async () => {
    const ctl = new AbortController();
    const pending = reachFlushHorizon([source('x', async () => 'never')], async () => undefined, ctl.signal, {
      deadlineMs: 60000,
      pollMs: 5,
    });
    setTimeout(() => ctl.abort(), 20);
    const v = await pending;
    expect(v.complete).toBe(false);
  });
});
