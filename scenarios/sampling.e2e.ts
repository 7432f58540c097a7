// Sampling: the EPP's ratio sampler keeps the configured fraction of requests, decided by an exact binomial
// test with the number of requests chosen by the statistics library; what a parent's sampled flag does is
// whatever the running EPP's contract says; an unknown sampler name falls back to 10%.
import { readFileSync } from 'node:fs';
import { withFailureReport } from '../harness/report/failure-report';
import { checkDecisionsInJaeger, eppSamplingDecisions, eppTracesForParentFlag } from '../harness/scenario/sampling-run';
import { useTopology } from '../harness/scenario/use-topology';
import { contractFor } from '../harness/traces/contracts';
import { requiredSampleSize, samplingConsistent } from '../harness/traces/sampling';

// One false alarm in 10,000 per assertion: the suite runs nightly and before every upgrade.
const ALPHA = 1e-4;
const POWER = 0.999;

function assertRate(k: number, n: number, p: number): void {
  const verdict = samplingConsistent({ n, k, p, alpha: ALPHA });
  if (!verdict.consistent) throw new Error(`sampling: ${verdict.message}`);
}

describe('sampling at ratio 0.5', () => {
  const env = useTopology({ models: 1, eppSamplerArg: '0.5' });
  const RATIO = 0.5;
  // Enough requests to tell 0.5 from the EPP's 0.1 default (a silently ignored setting) with power 0.999.
  const n = requiredSampleSize({ p0: RATIO, p1: 0.1, alpha: ALPHA, power: POWER });

  it(`keeps about half of ${n} requests without trace context, and Jaeger holds exactly those`, async () => {
    const s = env();
    await withFailureReport('sampling 0.5', s.topology, async (ev) => {
      const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
      const k = decisions.filter((d) => d.sampled).length;
      ev.note(`EPP sampled ${k} of ${n}`);
      assertRate(k, n, RATIO);
      await checkDecisionsInJaeger(s.jaeger, decisions);
    });
  });

  it('negative control: the same kind of run asserted against 0.1 fails with the sampling message', async () => {
    const s = env();
    const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
    const k = decisions.filter((d) => d.sampled).length;
    expect(() => assertRate(k, n, 0.1)).toThrow(
      new RegExp(
        `^sampling: observed ${k}/${n} = [\\d.]+% traced; expected ratio 10\\.0%; .* NOT consistent with the configured ratio$`,
      ),
    );
  });

  it.each([
    ['01', 'sampled'],
    ['00', 'not sampled'],
  ] as const)(
    'a parent flagged %s (%s) is treated as the contract of this EPP says',
    async (flags: '01' | '00', _label: string) => {
      const s = env();
      const e = s.topology.endpoints;
      const contract = contractFor(e.eppVersion);
      // Parent-based sampling only sees the parent when the EPP reads the incoming context.
      const expected = contract.joinsIncomingTrace ? (flags === '01' ? 1 : 0) : RATIO;
      const alternative = expected === RATIO ? (flags === '01' ? 1 : 0) : RATIO;
      const m = requiredSampleSize({ p0: expected, p1: alternative, alpha: ALPHA, power: POWER });
      await withFailureReport(`sampling parent ${flags}`, s.topology, async (ev) => {
        const k = await eppTracesForParentFlag(e, s.jaeger, m, flags);
        ev.note(`parent flags ${flags}: ${k} of ${m} EPP traces; expected ratio ${expected}`);
        if (expected === 0 || expected === 1) expect(k).toBe(expected * m);
        else assertRate(k, m, expected);
      });
    },
  );
});

describe('an unknown sampler name', () => {
  const env = useTopology({ models: 1, eppSampler: 'always_on', eppSamplerArg: '1' });

  it('falls back to ratio 0.1 (not the always-on the user asked for)', async () => {
    const s = env();
    const n = requiredSampleSize({ p0: 0.1, p1: 0.5, alpha: ALPHA, power: POWER });
    await withFailureReport('sampling fallback', s.topology, async (ev) => {
      const decisions = await eppSamplingDecisions(s.topology.endpoints, n);
      const k = decisions.filter((d) => d.sampled).length;
      ev.note(`EPP sampled ${k} of ${n} with OTEL_TRACES_SAMPLER=always_on`);
      assertRate(k, n, 0.1);
      expect(() => assertRate(k, n, 1)).toThrow(/NOT consistent/);
      await checkDecisionsInJaeger(s.jaeger, decisions);
    });
    const log = readFileSync((await s.topology.collectLogs()).epp, 'utf8');
    expect(log).toContain('unsupported sampler type: always_on, fallback to parentbased_traceidratio with 0.1 Ratio');
  });
});
