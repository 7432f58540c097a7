import type { Span, Trace } from '../traces/model';
import { hybridVerdict, PROCESS_METHOD } from './hybrid-verdict';

function span(traceId: string, spanId: string, name: string, parentSpanId?: string): Span {
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 'server',
    status: { code: 'unset' },
    service: 'epp',
    resource: {},
    scope: { name: 's' },
    attributes: {},
    startNs: 0n,
    endNs: 1n,
    durationMs: 0,
    links: [],
    events: [],
  };
}

const T = 'a'.repeat(32);
const agent = span(T, '1111111111111111', PROCESS_METHOD, 'eeeeeeeeeeeeeeee');

describe('hybridVerdict', () => {
  it('joined: gateway.request below the agent span', () => {
    const trace: Trace = { traceId: T, spans: [agent, span(T, '2222222222222222', 'gateway.request', agent.spanId)] };
    expect(hybridVerdict(trace, agent, []).verdict).toBe('joined');
  });

  it('same-trace: in the trace but a sibling', () => {
    const trace: Trace = {
      traceId: T,
      spans: [agent, span(T, '2222222222222222', 'gateway.request', 'eeeeeeeeeeeeeeee')],
    };
    expect(hybridVerdict(trace, agent, []).verdict).toBe('same-trace');
  });

  it('separate: names both traces', () => {
    const trace: Trace = { traceId: T, spans: [agent] };
    const own = span('b'.repeat(32), '3333333333333333', 'gateway.request');
    expect(hybridVerdict(trace, agent, [own])).toEqual({
      verdict: 'separate',
      text: `SEPARATE: the agent's ${PROCESS_METHOD} span 1111111111111111 is in trace ${T}, the EPP's gateway.request in trace(s) ${'b'.repeat(32)}`,
    });
    expect(hybridVerdict(trace, agent, []).text).toContain('no trace at all (no EPP spans)');
  });
});
