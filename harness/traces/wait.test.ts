import type { HorizonVerdict } from './flush-horizon';
import { TraceAbsentError, TraceIncompleteError, WaitTimeoutError, waitFor, type AbsenceJudge } from './wait';

const complete: HorizonVerdict = {
  complete: true,
  reachedAfterMs: 120,
  arrivals: [{ service: 'envoy-gateway', component: 'envoy', arrivedAfterMs: 120 }],
};
const silentEpp: HorizonVerdict = {
  complete: false,
  arrivals: [{ service: 'envoy-gateway', component: 'envoy', arrivedAfterMs: 90 }],
  silent: [
    { service: 'llm-d-epp', component: 'epp', flushMs: 100, sentAt: new Date(0), why: 'its sentinel span was late' },
  ],
};

function judge(verdict: HorizonVerdict | Error, calls: { n: number } = { n: 0 }): AbsenceJudge {
  return {
    reach: async () => {
      calls.n++;
      if (verdict instanceof Error) throw verdict;
      return verdict;
    },
    describeSilence: async (v) => `trace incomplete: service ${v.silent[0].service} exported nothing since T`,
  };
}

describe('trace waits with an absence judge', () => {
  it('do not ask the judge when the condition holds before the settle time', async () => {
    const calls = { n: 0 };
    let n = 0;
    const v = await waitFor(
      async () => ++n,
      (x) => x >= 2 || 'not yet',
      { description: 'two', intervalMs: 1, absence: judge(complete, calls), settleMs: 1000 },
    );
    expect(v).toBe(2);
    expect(calls.n).toBe(0);
  });

  it('decide an absence at the horizon, after one more try, long before the deadline', async () => {
    const started = Date.now();
    let triesAfterVerdict = 0;
    let verdictAt = Infinity;
    const j = judge(complete);
    const reach = j.reach;
    j.reach = async (...a) => {
      const v = await reach(...a);
      verdictAt = Date.now();
      return v;
    };
    const err = await waitFor(
      async () => {
        if (Date.now() >= verdictAt) triesAfterVerdict++;
        return 'trace without the model span';
      },
      () => 'no model-server span yet',
      { description: 'the model span', timeoutMs: 20000, intervalMs: 1000, absence: j, settleMs: 10 },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TraceAbsentError);
    expect((err as Error).message).toMatch(
      /^trace complete; no model-server span\nwaited for: the model span\nflush horizon: every exporter's sentinel was in Jaeger 0\.12 s after the wait began \(envoy-gateway \(envoy\) 0\.12 s\); decided after \d+\.\d\d s\nfound:\n"trace without the model span"$/,
    );
    expect(triesAfterVerdict).toBe(1);
    // The verdict ends the pause between tries (1 s here): the decision does not wait for the next scheduled try.
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('still pass when what they wait for is there on the try after the horizon', async () => {
    let verdictSeen = false;
    const j = judge(complete);
    const reach = j.reach;
    j.reach = async (...a) => {
      const v = await reach(...a);
      verdictSeen = true;
      return v;
    };
    await expect(
      waitFor(
        async () => verdictSeen,
        (x) => x || 'not yet',
        { description: 'late span', intervalMs: 5, absence: j, settleMs: 5 },
      ),
    ).resolves.toBe(true);
  });

  it('name the silent service when the horizon is not reached', async () => {
    const err = await waitFor(
      async () => [],
      () => 'no EPP spans yet',
      { description: 'any EPP span', intervalMs: 5, absence: judge(silentEpp), settleMs: 5 },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TraceIncompleteError);
    expect((err as TraceIncompleteError).silentServices).toEqual(['llm-d-epp']);
    expect((err as Error).message).toBe(
      'trace incomplete: service llm-d-epp exported nothing since T\n' +
        'waited for: any EPP span\n' +
        'last reason: no EPP spans\n' +
        'flushed: envoy-gateway (envoy) 0.09 s\n' +
        'found:\n[]',
    );
  });

  it('fall back to their deadline, with their usual pauses, when the judge cannot decide', async () => {
    let tries = 0;
    const err = await waitFor(
      async () => ++tries,
      () => 'not yet',
      { description: 'x', timeoutMs: 300, intervalMs: 50, absence: judge(new Error('Jaeger down')), settleMs: 1 },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    // 50 ms growing 1.5x per try over 300 ms: a handful of tries, not a busy loop.
    expect(tries).toBeLessThan(10);
  });

  it('a dead component still stops the wait first, as before', async () => {
    const err = await waitFor(
      async () => 1,
      () => 'not yet',
      { description: 'x', intervalMs: 5, absence: judge(complete), settleMs: 1, abortIf: () => 'jaeger died' },
    ).catch((e: Error) => e);
    expect((err as Error).name).toBe('ComponentDiedError');
  });
});
