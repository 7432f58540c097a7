import { poll, PollError } from './poll';

describe('poll', () => {
  it('returns the first value its condition accepts', async () => {
    let n = 0;
    await expect(
      poll(
        async () => ++n,
        (v) => v >= 3 || `only ${v}`,
        { timeoutMs: 5000, intervalMs: 1 },
      ),
    ).resolves.toBe(3);
  });

  it('on the deadline says why the last try failed and keeps the last value', async () => {
    const err = (await poll(
      async () => 7,
      () => 'still 7',
      { timeoutMs: 30, intervalMs: 5 },
    ).catch((e) => e)) as PollError<number>;
    expect(err).toBeInstanceOf(PollError);
    expect(err.message).toMatch(/^timed out after 0\.0s \(\d+ polls\): still 7$/);
    expect(err.lastValue).toBe(7);
    expect(err.aborted).toBe(false);
  });

  it('counts a probe error as not yet, unless stopOn says no waiting fixes it', async () => {
    const failing = async (): Promise<number> => {
      throw new Error('ECONNREFUSED');
    };
    const soft = (await poll(failing, () => true, { timeoutMs: 20, intervalMs: 5 }).catch(
      (e) => e,
    )) as PollError<number>;
    expect(soft.lastReason).toBe('probe failed: ECONNREFUSED');
    await expect(poll(failing, () => true, { timeoutMs: 5000, stopOn: () => true })).rejects.toThrow('ECONNREFUSED');
  });

  it('stops at once when abortIf gives a reason (a component died)', async () => {
    const started = Date.now();
    const err = (await poll(
      async () => 0,
      () => false,
      {
        timeoutMs: 60000,
        intervalMs: 5,
        abortIf: () => (Date.now() - started > 20 ? 'epp exited with code 2' : undefined),
      },
    ).catch((e) => e)) as PollError<number>;
    expect(err.aborted).toBe(true);
    expect(err.message).toBe('epp exited with code 2');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
