// Sampling: the EPP's ratio sampler keeps the configured fraction of requests, decided by an exact binomial
// test with the number of requests chosen by the statistics library; what a parent's sampled flag does is
// whatever the running EPP's contract says; an unknown sampler name falls back to 10%.
import { readFileSync } from 'node:fs';
import { testEvidence } from '../harness/report/test-evidence';
import { checkDecisionsInJaeger, eppSamplingDecisions, eppTracesForParentFlag } from '../harness/scenario/sampling-run';
import { useTopology } from '../harness/scenario/use-topology';
import { scenarioOptions } from '../harness/config/run-options-file';
import { findContract } from '../harness/traces/contracts';
import { contractNotApplicable } from '../harness/scenario/contract-gate';
import { requiredSampleSize, samplingConsistent } from '../harness/traces/sampling';

// One false alarm in 10,000 per assertion: the suite runs nightly and before every upgrade.
const ALPHA = 1e-4;
const POWER = 0.999;
/** The EPP's own ratio when the sampler is unset or unknown (pkg/common/observability/tracing, GIE and llm-d). */
const EPP_DEFAULT_RATIO = 0.1;

function assertRate(k: number, n: number, p: number): void {
  const verdict = samplingConsistent({ n, k, p, alpha: ALPHA });
  if (!verdict.consistent) throw new Error(`sampling: ${verdict.message}`);
}

const HALF = { models: 1, eppSamplerArg: '0.5' };
// The ratio the EPP is started with, read back from the resolved options, never a second literal.
const RATIO = Number(scenarioOptions(HALF).eppSamplerArg);

describe(`sampling at ratio ${RATIO}`, () => {
  const env = useTopology(HALF);
  // Enough requests to tell the ratio from the EPP's default (a silently ignored setting) with power 0.999.
  const n = requiredSampleSize({ p0: RATIO, p1: EPP_DEFAULT_RATIO, alpha: ALPHA, power: POWER });

  it(`keeps a ratio of ${RATIO} of ${n} requests without trace context, and Jaeger holds exactly those`, async () => {
    const s = env();
    const ev = testEvidence();
    const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
    const k = decisions.filter((d) => d.sampled).length;
    ev.note(`EPP sampled ${k} of ${n}`);
    assertRate(k, n, RATIO);
    await checkDecisionsInJaeger(s.jaeger, decisions);
  });

  it(`negative control: the same kind of run asserted against ${EPP_DEFAULT_RATIO} fails with the sampling message`, async () => {
    const s = env();
    const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
    const k = decisions.filter((d) => d.sampled).length;
    const percent = (EPP_DEFAULT_RATIO * 100).toFixed(1).replace('.', '\\.');
    expect(() => assertRate(k, n, EPP_DEFAULT_RATIO)).toThrow(
      new RegExp(
        `^sampling: observed ${k}/${n} = [\\d.]+% traced; expected ratio ${percent}%; .* NOT consistent with the configured ratio$`,
      ),
    );
  });

  // Whether the parent's flag counts depends on whether the EPP reads the incoming context: its contract says.
  if (!findContract(scenarioOptions().eppVersion)) contractNotApplicable('sampling: parent flags');
  else
    it.each([
      ['01', 'sampled'],
      ['00', 'not sampled'],
    ] as const)(
      'a parent flagged %s (%s) is treated as the contract of this EPP says',
      async (flags: '01' | '00', _label: string) => {
        const s = env();
        const e = s.topology.endpoints;
        const contract = findContract(e.eppVersion)!;
        // Parent-based sampling only sees the parent when the EPP reads the incoming context.
        const expected = contract.joinsIncomingTrace ? (flags === '01' ? 1 : 0) : RATIO;
        const alternative = expected === RATIO ? (flags === '01' ? 1 : 0) : RATIO;
        const m = requiredSampleSize({ p0: expected, p1: alternative, alpha: ALPHA, power: POWER });
        const ev = testEvidence();
        const k = await eppTracesForParentFlag(e, s.jaeger, m, flags);
        ev.note(`parent flags ${flags}: ${k} of ${m} EPP traces; expected ratio ${expected}`);
        if (expected === 0 || expected === 1) expect(k).toBe(expected * m);
        else assertRate(k, m, expected);
      },
    );
});

describe('an unknown sampler name', () => {
  const overrides = { models: 1, eppSampler: 'always_on', eppSamplerArg: '1' };
  const env = useTopology(overrides);
  const asked = scenarioOptions(overrides);

  it(`falls back to ratio ${EPP_DEFAULT_RATIO} (not the ${asked.eppSampler} the user asked for)`, async () => {
    const s = env();
    const n = requiredSampleSize({ p0: EPP_DEFAULT_RATIO, p1: 0.5, alpha: ALPHA, power: POWER });
    const ev = testEvidence();
    const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
    const k = decisions.filter((d) => d.sampled).length;
    ev.note(`EPP sampled ${k} of ${n} with OTEL_TRACES_SAMPLER=${asked.eppSampler}`);
    assertRate(k, n, EPP_DEFAULT_RATIO);
    expect(() => assertRate(k, n, Number(asked.eppSamplerArg))).toThrow(/NOT consistent/);
    await checkDecisionsInJaeger(s.jaeger, decisions);
    const log = readFileSync((await s.topology.collectLogs()).epp, 'utf8');
    expect(log).toContain(
      `unsupported sampler type: ${asked.eppSampler}, fallback to parentbased_traceidratio with ${EPP_DEFAULT_RATIO} Ratio`,
    );
  });
});
