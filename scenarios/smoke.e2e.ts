// Smoke: one OpenAI request through Envoy is answered by a mock vLLM the real EPP picked, and Jaeger holds the
// spans of Envoy, the EPP and the model server, parented as the running EPP version's contract says.
import { GenAi } from '../harness/traces/attribute-keys';
import { newTraceparent, sendCompletion } from '../harness/drivers/openai';
import type { Evidence } from '../harness/report/failure-report';
import { testEvidence } from '../harness/report/test-evidence';
import { failureUnderMockFaults, mockRequests } from '../harness/scenario/mock-faults';
import { contractNotApplicable, eppClientEntry, runContract } from '../harness/scenario/contract-gate';
import { useTopology, type ScenarioEnv } from '../harness/scenario/use-topology';
import {
  contractFor,
  expectTrace,
  MODEL_SERVER_CONTRACT,
  renderTrace,
  waitForTrace,
  waitForTraces,
  type Trace,
} from '../harness/traces';

const noEvidence = { trace: () => undefined, note: () => undefined } as unknown as Evidence;
const EXT_PROC_SPAN = /^async envoy\.service\.ext_proc\.v3\.ExternalProcessor\.Process egress$/;

function keep(evidence: Evidence, label: string, t: Trace, s: ScenarioEnv): void {
  evidence.trace({ label, raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
}

/** The smoke check itself, shared by the scenario and its negative control. */
async function oneTracedRequest(s: ScenarioEnv, evidence: Evidence): Promise<void> {
  const e = s.topology.endpoints;
  const contract = contractFor(e.eppVersion);
  const client = newTraceparent(true);
  evidence.note(`client traceparent ${client.traceparent}`);
  // Just before sending (same clock as the EPP's): an earlier request, of this file or of another file on a
  // shared topology, must not count as this request's EPP trace.
  const since = new Date();

  const res = await sendCompletion(e.gateway, {
    model: e.models[0].model,
    headers: { traceparent: client.traceparent },
  });
  const served = e.models.find((m) => m.name === res.servedBy);
  if (res.status !== 200) {
    // Which endpoint answered is what tells a broken model server from a broken gateway or EPP.
    const who = served
      ? `${served.name} (${served.address})`
      : `no model server (x-inference-pod: ${res.servedBy ?? 'absent'})`;
    throw new Error(`the gateway answered HTTP ${res.status} from ${who}: ${res.body.slice(0, 200)}`);
  }
  expect(served).toBeDefined();
  // The model server got the request because the EPP said so: Envoy routed on the EPP's header.
  const seen = (await mockRequests(served!.url)).at(-1);
  expect(seen?.headers['x-gateway-destination-endpoint']).toBe(served!.address);

  const { envoy, epp, mockVllm } = e.services;
  const clientTrace = await waitForTrace(
    s.jaeger,
    client.traceId,
    (t) => {
      // The completeness report: which service's spans are late or missing, by name.
      const expected = [envoy, mockVllm, ...(contract.joinsIncomingTrace ? [epp] : [])];
      const missing = expected.filter((svc) => !t.spans.some((x) => x.service === svc));
      const present = [...new Set(t.spans.map((x) => x.service))].join(', ') || 'nothing';
      if (missing.length) return `no span of service ${missing.join(', ')} yet (the trace has spans of: ${present})`;
      if (!t.spans.some((x) => x.service === envoy && x.name === 'ingress')) return 'no Envoy ingress span yet';
      return true;
    },
    { description: `the client trace ${client.traceId} with Envoy and model-server spans` },
  );
  keep(evidence, 'client trace', clientTrace, s);
  const expectClient = expectTrace(clientTrace, { jaegerUi: e.jaegerUi });
  // First, the model server's own spans: a renamed one shows as the missing and the unexpected name.
  expectClient.toSatisfyContract(MODEL_SERVER_CONTRACT, { model: mockVllm });
  // An EPP that reads the client's traceparent enters the client's trace beside Envoy (its contract says so).
  expectClient
    .toBeOneConnectedTrace({ externalParent: client.spanId, alsoEntering: eppClientEntry(contract, epp) })
    .toCrossServices([envoy, mockVllm]);
  expectClient
    .span({ name: 'ingress', service: envoy, kind: 'server' })
    .hasParentId(client.spanId)
    .hasChild({ name: EXT_PROC_SPAN, service: envoy, kind: 'client' })
    // Envoy's router injects its own span context into the upstream request, so that is the model span's parent.
    .hasChild({ name: 'llm_request', service: mockVllm, kind: 'server' });
  expectClient
    .span({ name: 'llm_request', service: mockVllm })
    .hasAttributes({ [GenAi.RESPONSE_MODEL]: e.models[0].model });

  const roles = { epp, envoy, model: mockVllm };
  if (contract.joinsIncomingTrace) {
    expectClient.toSatisfyContract(contract, roles);
    return;
  }
  // This EPP starts a trace of its own for every request (it does not read the incoming traceparent).
  expectClient.hasNoSpan({ service: epp });
  const [eppTrace] = await waitForTraces(
    s.jaeger,
    { service: epp, operation: 'gateway.request', since },
    (ts) => (ts.length === 1 ? true : `${ts.length} EPP traces since the request was sent`),
    { description: `exactly one new EPP trace (service ${epp})` },
  );
  keep(evidence, 'EPP trace', eppTrace, s);
  expectTrace(eppTrace, { jaegerUi: e.jaegerUi }).toSatisfyContract(contract, roles);
  // Where the contract has a span that names the model, it names the model that was asked for.
  for (const sp of contract.spans.filter((x) => x.requiredAttributes.includes('target_model'))) {
    expectTrace(eppTrace, { jaegerUi: e.jaegerUi })
      .span({ name: sp.name, service: epp })
      .hasAttributes({ target_model: e.models[0].model });
  }
}

function smokeScenario(): void {
  const env = useTopology({ models: 2 });
  describe('smoke', () => {
    it('one request: the EPP picks a model server, and Envoy, EPP and model-server spans are parented as the contract says', async () => {
      const s = env();
      await oneTracedRequest(s, testEvidence());
    });

    it('negative control: a model server that drops traceparent fails the smoke check, showing the tree', async () => {
      const s = env();
      const failure = await failureUnderMockFaults(s.topology.endpoints, ['drop-traceparent'], () =>
        oneTracedRequest(s, noEvidence),
      );
      // Decided at the flush horizon (every exporter's sentinel in Jaeger), not by waiting out a deadline.
      const { envoy, epp } = s.topology.endpoints.services;
      // An EPP that joins the client's trace (its contract says so) is in it too.
      const present = contractFor(s.topology.endpoints.eppVersion).joinsIncomingTrace ? `${envoy}, ${epp}` : envoy;
      expect(failure.message).toMatch(
        new RegExp(
          `^trace complete; no span of service mock-vllm \\(the trace has spans of: ${present}\\)\n` +
            'waited for: the client trace [0-9a-f]{32} with Envoy and model-server spans\n' +
            "flush horizon: every exporter's sentinel was in Jaeger",
        ),
      );
      expect(failure.message).toMatch(/envoy-gateway {2}ingress {2}\[server\]/);
    });

    it('negative control: a model server answering HTTP 500 fails the smoke check, naming the status and the endpoint', async () => {
      const s = env();
      const failure = await failureUnderMockFaults(s.topology.endpoints, ['http-500'], () =>
        oneTracedRequest(s, noEvidence),
      );
      expect(failure.message).toMatch(
        /^the gateway answered HTTP 500 from mock-vllm-\S+ \(127\.0\.0\.\d+:\d+\): \{"object":"error","message":"injected fault http-500"/,
      );
    });

    it('negative control: a renamed model-server span is listed as missing and unexpected', async () => {
      const s = env();
      const failure = await failureUnderMockFaults(s.topology.endpoints, ['wrong-span-name'], () =>
        oneTracedRequest(s, noEvidence),
      );
      expect(failure.message).toContain("expected the spans of the model server (vLLM's llm_request)");
      expect(failure.message).toContain('  - missing span llm_request\n  - unexpected span llm_request_v2');
    });
  });
}

// Where the EPP's spans must be depends on its contract; an EPP binary without one cannot be checked here.
if (runContract()) smokeScenario();
else contractNotApplicable('smoke');
