import { closedLoop } from './load';

describe('closed loop', () => {
  it('runs exactly the requested number of requests, never more than `streams` at once', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const r = await closedLoop(50, 4, async () => {
      calls++;
      most = Math.max(most, ++inFlight);
      await new Promise<void>((resolve) => setImmediate(resolve));
      inFlight--;
    });
    expect(calls).toBe(50);
    expect(most).toBe(4);
    expect(r).toMatchObject({ requests: 50, streams: 4 });
    expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
  });
});
