// Attributes and resources: every component reports who it is (service.name, OTEL_RESOURCE_ATTRIBUTES on the
// EPP), the EPP's orchestration span names the model, and the endpoint the EPP picked is the one that answered.
import { processThroughEpp } from '../harness/drivers/extproc/client';
import { testEvidence } from '../harness/report/test-evidence';
import { contractNotApplicable, runContract } from '../harness/scenario/contract-gate';
import { useTopology, type ScenarioEnv } from '../harness/scenario/use-topology';
import { contractFor, expectTrace, renderTrace, waitForTrace } from '../harness/traces';
import { EnvoyLb, Epp, Resource } from '../harness/traces/attribute-keys';
import { scenarioOptions } from '../harness/config/run-options-file';

const PICKED_ATTRIBUTE = Epp.PICKER_TOP_ENDPOINTS;

/** What the scenario asks the EPP to carry (OTEL_RESOURCE_ATTRIBUTES), and so expects on its spans. */
const WITH_ATTRIBUTES = { models: 2, eppResourceAttributes: `${Resource.COMPONENT}=endpoint-picker` };
const EXPECTED_RESOURCE = scenarioOptions(WITH_ATTRIBUTES).eppResourceAttributes;

/** One forwarded request through the EPP; checks identity attributes and the EPP's decision. */
async function checkAttributes(s: ScenarioEnv): Promise<void> {
  const e = s.topology.endpoints;
  const ev = testEvidence();
  const r = await processThroughEpp(e.extProc, {
    body: { model: e.models[0].model, prompt: 'who are you', max_tokens: 1 },
    upstream: 'forward',
  });
  const answered = e.models.find((m) => m.name === r.upstreamResponse?.headers['x-inference-pod']);
  expect(answered).toBeDefined();
  // The decision, as header and as the envoy.lb metadata Envoy's load balancer may read, names that endpoint.
  expect(r.destination).toBe(answered!.address);
  expect(r.dynamicMetadata).toEqual({ [EnvoyLb.NAMESPACE]: { [EnvoyLb.DESTINATION_ENDPOINT]: answered!.address } });

  const traceId = r.requestHeaderMutation.set.traceparent.split('-')[1];
  const t = await waitForTrace(
    s.jaeger,
    traceId,
    // Both exporters, not the first one to flush: the EPP's and the mock's batches reach Jaeger independently.
    (x) => {
      const missing = [e.services.epp, e.services.mockVllm].filter((svc) => !x.spans.some((sp) => sp.service === svc));
      return missing.length === 0 || `no span of ${missing.join(', ')} yet`;
    },
    {
      description: `trace ${traceId} with the EPP and model-server spans`,
    },
  );
  ev.trace({ label: 'EPP trace', raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
  const x = expectTrace(t, { jaegerUi: e.jaegerUi });
  x.span({ service: e.services.epp }).hasResource({
    [Resource.SERVICE_NAME]: e.services.epp,
    ...EXPECTED_RESOURCE,
    [Resource.SERVICE_VERSION]: (v) => v !== undefined,
  });
  x.span({ service: e.services.mockVllm }).hasResource({ [Resource.SERVICE_NAME]: e.services.mockVllm });
  // Spans that name the model (per the contract of this EPP version) name the one asked for.
  const contract = contractFor(e.eppVersion);
  for (const sp of contract.spans.filter((c) => c.requiredAttributes.includes('target_model'))) {
    x.span({ name: sp.name, service: e.services.epp }).hasAttributes({ target_model: e.models[0].model });
  }
  // Picked endpoints on spans exist only in EPP versions whose contract declares them.
  const declares = contract.spans.some((sp) => sp.requiredAttributes.includes(PICKED_ATTRIBUTE));
  if (declares)
    x.span({ attributes: { [PICKED_ATTRIBUTE]: (v) => v !== undefined } }).hasAttributes({
      [PICKED_ATTRIBUTE]: (v) => JSON.stringify(v).includes(answered!.name),
    });
  else x.hasNoSpan({ attributes: { [PICKED_ATTRIBUTE]: (v) => v !== undefined } });
}

function attributesScenario(): void {
  describe('attributes and resources', () => {
    const env = useTopology(WITH_ATTRIBUTES);

    it('each component names itself; the EPP carries OTEL_RESOURCE_ATTRIBUTES; the picked endpoint answered', async () => {
      await checkAttributes(env());
    });
  });

  describe('negative control: an EPP started without its resource attributes', () => {
    const env = useTopology({ models: 2, eppResourceAttributes: '' });

    it('fails the attributes check, naming the missing resource attribute', async () => {
      const err = await checkAttributes(env()).then(
        () => undefined,
        (x: Error) => x,
      );
      expect(err?.message).toMatch(
        /expected span\[service="llm-d-epp"\] to have resource attributes .*component.*\nfound: component=\(absent\)/,
      );
    });
  });
}

// Which spans name the model and the picked endpoint is the contract's to say.
if (runContract()) attributesScenario();
else contractNotApplicable('attributes and resources');
