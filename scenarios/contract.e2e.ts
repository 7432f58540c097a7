// Contract: the spans one request makes in the EPP are exactly those of the running version's contract (names,
// kinds, parents, scopes, attribute keys). Negative control: another pinned EPP version, checked against this
// version's contract, fails with the list of every difference.
import { processThroughEpp } from '../harness/drivers/extproc/client';
import type { ScenarioEnv } from '../harness/scenario/use-topology';
import { useTopology } from '../harness/scenario/use-topology';
import { contractNotApplicable, runContract } from '../harness/scenario/contract-gate';
import { buildableEppVersions } from '../harness/tools/tools';
import { loadVersions } from '../harness/tools/versions';
import { scenarioOptions } from '../harness/config/run-options-file';
import { contractFor, expectTrace, waitForTrace, type Trace } from '../harness/traces';
import { testEvidence } from '../harness/report/test-evidence';
import { renderTrace } from '../harness/traces/render';

const running = scenarioOptions().eppVersion;
// The negative control runs another pinned EPP that the module proxy can build (the llm-d ones are image-only).
const other = buildableEppVersions(loadVersions()).find((v) => v !== running)!;

/** One request through the EPP (ext_proc driver, no client context) and the EPP trace it made. */
async function oneEppTrace(s: ScenarioEnv): Promise<Trace> {
  const e = s.topology.endpoints;
  const r = await processThroughEpp(e.extProc, {
    body: { model: e.models[0].model, prompt: 'contract', max_tokens: 1 },
    upstream: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' },
  });
  const traceId = r.requestHeaderMutation.set.traceparent?.split('-')[1];
  if (!traceId) throw new Error('the EPP injected no traceparent');
  const contract = contractFor(e.eppVersion);
  const wanted = contract.spans.filter((sp) => !sp.optional).length;
  return waitForTrace(s.jaeger, traceId, (t) => t.spans.length >= wanted || `${t.spans.length}/${wanted} spans`, {
    description: `the EPP trace ${traceId} with the ${wanted} spans of its contract`,
  });
}

function contractScenario(): void {
  // Titles name no version, so `compare` can match outcomes across versions.
  describe('contract of the running EPP', () => {
    const env = useTopology({ models: 1, eppVersion: running });

    it('one request makes exactly the spans of the contract', async () => {
      const s = env();
      const ev = testEvidence();
      const t = await oneEppTrace(s);
      ev.trace({ label: 'EPP trace', raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
      expectTrace(t, { jaegerUi: s.topology.endpoints.jaegerUi }).toSatisfyContract(contractFor(running), {
        epp: s.topology.endpoints.services.epp,
      });
    });
  });

  describe('negative control: another pinned EPP against this contract', () => {
    const env = useTopology({ models: 1, eppVersion: other });

    it('fails, listing every difference', async () => {
      const s = env();
      const t = await oneEppTrace(s);
      let message = '';
      try {
        expectTrace(t).toSatisfyContract(contractFor(running), { epp: s.topology.endpoints.services.epp });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`expected the spans of EPP ${running}`);
      expect(message).toMatch(/found: \d+ deviation\(s\):\n {2}- /);
      // The GIE v1.4.0 / v1.5.0 pair differs by the orchestration span and by the scope of gateway.request.
      expect(message).toMatch(/gateway\.request_orchestration/);
      expect(message).toMatch(/gateway\.request: scope /);
    });
  });
}

if (runContract()) contractScenario();
else contractNotApplicable('contract of the running EPP');
