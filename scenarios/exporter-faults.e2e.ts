// Exporter faults: the EPP's trace exporter pointed at a dead endpoint must not break request handling, and the
// harness must say plainly that the EPP's spans are missing (not hang, not blame something else).
import { newTraceparent, sendCompletion } from '../harness/drivers/openai';
import { useTopology } from '../harness/scenario/use-topology';
import { expectTrace, TraceIncompleteError, waitForTrace, waitForTraces } from '../harness/traces';

// Nothing listens on loopback port 1: every export attempt is refused at once.
const env = useTopology({ models: 2, eppOtlpEndpoint: 'http://127.0.0.1:1' });

describe('EPP exporter pointed at a dead endpoint', () => {
  it('requests are still answered, and the rest of the trace is intact', async () => {
    const s = env();
    const e = s.topology.endpoints;
    for (let i = 0; i < 5; i++) {
      const client = newTraceparent(true);
      const res = await sendCompletion(e.gateway, {
        model: e.models[0].model,
        headers: { traceparent: client.traceparent },
      });
      expect({ request: i, status: res.status }).toEqual({ request: i, status: 200 });
      const t = await waitForTrace(
        s.jaeger,
        client.traceId,
        (x) => x.spans.some((sp) => sp.service === e.services.mockVllm) || 'no model-server span yet',
        { description: `client trace ${client.traceId}` },
      );
      expectTrace(t).span({ name: 'ingress', service: e.services.envoy }).hasChild({ service: e.services.mockVllm });
    }
  });

  it('the harness reports "service S exported nothing since T" with its log\'s export errors, not a timeout', async () => {
    const s = env();
    const e = s.topology.endpoints;
    const since = new Date(Date.now() - 60000);
    const err = await waitForTraces(
      s.jaeger,
      { service: e.services.epp, since },
      (ts) => (ts.length > 0 ? true : `no EPP spans (service ${e.services.epp}) in Jaeger`),
      { description: `any span of the EPP (service ${e.services.epp})` },
    ).then(
      () => undefined,
      (x: Error) => x,
    );
    // Decided by the flush horizon: the EPP's sentinel never reached Jaeger, every other exporter's did.
    expect(err).toBeInstanceOf(TraceIncompleteError);
    expect(err?.message).toMatch(
      new RegExp(
        `^trace incomplete: service ${e.services.epp} \\(epp\\) exported nothing since \\S+: ` +
          'its sentinel span \\(trace [0-9a-f]{32}\\) was not in Jaeger',
      ),
    );
    expect(err?.message).toContain(`Jaeger holds no span of ${e.services.epp} at all`);
    // What the EPP's log says about exporting is quoted (GIE's EPP logs its exporter's start, and no export error
    // within the sentinel's deadline: its exporter retries quietly).
    expect(err?.message).toMatch(/\n {2}its log \(\S+epp\.log\) (on exporting, last \d+ of \d+ lines:\n|says nothing)/);
    expect(err?.message).toMatch(new RegExp(`flushed: ${e.services.envoy} \\(envoy\\) [\\d.]+ s, `));
    expect(err?.message).toContain('last reason: no EPP spans');
    const services = await s.jaeger.services();
    expect(services).toEqual(expect.arrayContaining([e.services.envoy, e.services.mockVllm]));
    expect(services).not.toContain(e.services.epp);
  });
});
