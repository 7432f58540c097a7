import { performance } from 'node:perf_hooks';
import { percentile } from './stats';

/** Throughput and per-request latency of one closed-loop run (each stream starts its next request when one ends). */
export interface LoadResult {
  requests: number;
  streams: number;
  rps: number;
  latencyMs: { p50: number; p99: number };
  /** This process's CPU time (user + system) per request: what the driver costs, whatever the machine's load. */
  cpuMsPerRequest: number;
}

/**
 * `total` requests over `streams` concurrent loops; `drain`, if given, is what must still finish for the requests
 * to count (inside the timed window). The clock is read twice per request (performance.now, no
 * allocation beyond the sample array, which is sized up front) so the measuring costs nothing next to a request.
 */
export async function closedLoop(
  total: number,
  streams: number,
  request: () => Promise<unknown>,
  drain?: () => Promise<void>,
): Promise<LoadResult> {
  const samples = new Float64Array(total);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      while (next < total) {
        const i = next++;
        const start = performance.now();
        await request();
        samples[i] = performance.now() - start;
      }
    }),
  );
  await drain?.();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const all = Array.from(samples);
  return {
    requests: total,
    streams,
    rps: total / seconds,
    latencyMs: { p50: round2(percentile(all, 50)), p99: round2(percentile(all, 99)) },
    cpuMsPerRequest: round2((cpu.user + cpu.system) / 1000 / total),
  };
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
