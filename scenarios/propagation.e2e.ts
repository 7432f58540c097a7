// Propagation: W3C trace context entering at the gateway comes out at the model server, and the context the
// EPP injects into the forwarded request parents the model server's span. Each claim has a negative control
// (a mock vLLM fault) proven to fail it.
import { processThroughEpp } from '../harness/drivers/extproc/client';
import { newTraceparent, sendCompletion } from '../harness/drivers/openai';
import type { Evidence } from '../harness/report/failure-report';
import { testEvidence } from '../harness/report/test-evidence';
import { failureUnderMockFaults, mockRequests } from '../harness/scenario/mock-faults';
import { contractNotApplicable, eppClientEntry, runContract } from '../harness/scenario/contract-gate';
import { useTopology, type ScenarioEnv } from '../harness/scenario/use-topology';
import { contractFor, expectTrace, findContract, renderTrace, waitForTrace } from '../harness/traces';

const env = useTopology({ models: 2 });
const TRACESTATE = 'epp-e2e=t61rcWkgMzE,vendor=abc';
const BAGGAGE = 'user=alice,tenant=blue';
const noEvidence = { trace: () => undefined, note: () => undefined } as unknown as Evidence;

/** Client context through Envoy: the model server gets the client's trace id, tracestate and baggage. */
async function clientContextReachesModel(s: ScenarioEnv, evidence: Evidence): Promise<void> {
  const e = s.topology.endpoints;
  const client = newTraceparent(true);
  const res = await sendCompletion(e.gateway, {
    model: e.models[0].model,
    headers: { traceparent: client.traceparent, tracestate: TRACESTATE, baggage: BAGGAGE },
  });
  expect(res.status).toBe(200);
  const served = e.models.find((m) => m.name === res.servedBy)!;
  const got = (await mockRequests(served.url)).at(-1)!.headers;
  expect(got.traceparent).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-01$`));
  expect(got.tracestate).toBe(TRACESTATE);
  expect(got.baggage).toBe(BAGGAGE);

  const t = await waitForTrace(
    s.jaeger,
    client.traceId,
    (x) => {
      if (!x.spans.some((sp) => sp.service === e.services.envoy && sp.name === 'ingress'))
        return 'no Envoy ingress span yet';
      return x.spans.some((sp) => sp.service === e.services.mockVllm)
        ? true
        : 'no model-server span in the client trace yet';
    },
    { description: `the Envoy and model-server spans in client trace ${client.traceId}` },
  );
  evidence.trace({ label: 'client trace', raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
  // Where the EPP's spans belong in this trace is its contract's to say: an EPP binary without one is left out of
  // this Envoy-to-model check (its place is what the contract-dependent checks, reported as not made, would check).
  const contract = findContract(e.eppVersion);
  const checked = contract ? t : { ...t, spans: t.spans.filter((sp) => sp.service !== e.services.epp) };
  if (!contract) evidence.note(`EPP spans (${e.services.epp}) not checked here: the EPP has no contract`);
  expectTrace(checked, { jaegerUi: e.jaegerUi })
    .toBeOneConnectedTrace({
      externalParent: client.spanId,
      // An EPP that reads the client's traceparent enters the trace beside Envoy: its contract says so.
      alsoEntering: eppClientEntry(contract, e.services.epp),
    })
    .span({ name: 'llm_request', service: e.services.mockVllm })
    .hasParent({ name: 'ingress', service: e.services.envoy });
  const sent = got.traceparent as string;
  expectTrace(t).span('llm_request').hasParentId(sent.split('-')[2]);
}

/**
 * Without Envoy (the ext_proc driver forwards the request itself): the EPP's injected traceparent names its
 * gateway.request span, and the model server's llm_request is that span's child, in one connected trace.
 */
async function eppContextParentsModel(s: ScenarioEnv, evidence: Evidence): Promise<void> {
  const e = s.topology.endpoints;
  const contract = contractFor(e.eppVersion);
  const result = await processThroughEpp(e.extProc, {
    body: { model: e.models[0].model, prompt: 'propagate me', max_tokens: 2 },
    chunkSize: 5,
    upstream: 'forward',
  });
  expect(result.upstreamResponse?.status).toBe(200);
  const injected = result.requestHeaderMutation.set.traceparent;
  expect(injected).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const [, traceId, eppSpanId] = injected.split('-');
  evidence.note(`EPP injected traceparent ${injected}`);
  const t = await waitForTrace(
    s.jaeger,
    traceId,
    (x) => {
      if (!x.spans.some((sp) => sp.name === 'gateway.request')) return 'no gateway.request yet';
      return x.spans.some((sp) => sp.service === e.services.mockVllm)
        ? true
        : 'no model-server span in the EPP trace yet';
    },
    { description: `the EPP trace ${traceId} with the model-server span` },
  );
  evidence.trace({ label: 'EPP trace', raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
  const x = expectTrace(t, { jaegerUi: e.jaegerUi });
  x.toBeOneConnectedTrace().toCrossServices([e.services.epp, e.services.mockVllm]);
  x.span({ name: 'gateway.request', service: e.services.epp })
    .isRoot()
    .hasChild({ name: 'llm_request', service: e.services.mockVllm });
  expect(t.spans.find((sp) => sp.name === 'gateway.request')!.spanId).toBe(eppSpanId);
  x.toSatisfyContract(contract, { epp: e.services.epp });
}

describe('propagation', () => {
  it('client traceparent, tracestate and baggage go through Envoy to the model server, whose span joins the client trace', async () => {
    const s = env();
    await clientContextReachesModel(s, testEvidence());
  });

  it.each([
    [
      'drop-traceparent',
      /^trace complete; no model-server span in the client trace\nwaited for: the Envoy and model-server spans in client trace [0-9a-f]{32}\n/,
    ],
    [
      'new-root-trace',
      /^trace complete; no model-server span in the client trace\nwaited for: the Envoy and model-server spans in client trace [0-9a-f]{32}\n/,
    ],
    [
      'orphan-parent',
      /expected one connected trace \(one entry span, no orphans\)\nfound: 1 entry span\(s\): envoy-gateway ingress \[server\] \(\w+\); 1 orphan\(s\): mock-vllm llm_request/,
    ],
  ])('negative control: mock fault %s fails the client-context check', async (fault, message) => {
    const s = env();
    const err = await failureUnderMockFaults(s.topology.endpoints, [fault], () =>
      clientContextReachesModel(s, noEvidence),
    );
    expect(err.message).toMatch(message);
  });

  // The EPP-context checks hold the spans to the EPP's contract: an EPP binary without one cannot make them.
  if (runContract()) {
    it("the EPP's injected context parents the model server's span (ext_proc driver, no Envoy)", async () => {
      const s = env();
      await eppContextParentsModel(s, testEvidence());
    });

    it('negative control: mock fault new-root-trace fails the EPP-context check', async () => {
      const s = env();
      const err = await failureUnderMockFaults(s.topology.endpoints, ['new-root-trace'], () =>
        eppContextParentsModel(s, noEvidence),
      );
      expect(err.message).toMatch(
        /^trace complete; no model-server span in the EPP trace\nwaited for: the EPP trace [0-9a-f]{32} with the model-server span\n/,
      );
      expect(err.message).toMatch(/llm-d-epp {2}gateway\.request {2}\[server\]/);
    });
  } else contractNotApplicable("the EPP's injected context parents the model server's span");
});
