import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extProcChannel } from '../drivers/extproc/client';
import { ensureGoTool } from '../tools/build-go-tool';
import { ghzSpec } from '../tools/tools';
import { loadVersions } from '../tools/versions';
import { benchExchange, pipelinedExchange } from './exchange';
import { ghzMessages, ghzRun, type GhzResult } from './ghz';
import { closedLoop, round2, type LoadResult } from './load';
import { loadAverage, type BenchContext, type BenchSection } from './section';

const REQUESTS = Number(process.env.BENCH_EXTPROC_REQUESTS ?? 600);
// Five rounds, not three: on a 2-core VM one tool's round can fall in another process's burst, and the median of
// five outlasts two such rounds (ghz alone moved by 40 % between runs of three).
const ROUNDS = Number(process.env.BENCH_EXTPROC_ROUNDS ?? 5);
const STREAMS = [1, 8, 32];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Summary {
  rps: number;
  latencyMs: { p50: number; p99: number };
}

/** The median round: throughput and latency of the same round, so the three numbers belong together. */
function medianRound(rounds: Summary[]): Summary {
  const mid = median(rounds.map((r) => r.rps));
  const r = rounds.find((x) => x.rps === mid)!;
  return { rps: Math.round(r.rps), latencyMs: r.latencyMs };
}

/**
 * The ext_proc driver against ghz on the same EPP, at 1, 8 and 32 concurrent streams. Like with like: the same
 * messages (ghz's come from the driver's own builders), one HTTP/2 connection each (ghz --connections 1, one
 * ExtProcChannel), the same number of streams at a time, closed loops of the same length. The rounds alternate
 * which tool goes first, so a change in the machine's load falls on both; the median round is reported.
 * One difference stays, by design: ghz writes all messages and half-closes at once and counts a stream done at
 * its status; the driver waits for the EPP's decision before it sends the response phase and counts a request done
 * at the last reply, as Envoy does (one more round trip per exchange; the EPP's status follows the half-close and
 * is checked at the end of the round). The same messages in ghz's order on the driver's channel
 * (driverInGhzOrder) show how much of a gap is that.
 */
export async function extProcVsGhz(ctx: BenchContext): Promise<BenchSection> {
  const e = ctx.endpoints;
  const ghz = Object.values(await ensureGoTool(ghzSpec(loadVersions()), ctx.progress))[0];
  const dataFile = join(e.runDir, 'ghz-messages.json');
  writeFileSync(dataFile, ghzMessages(e.models[0].model));
  const channel = extProcChannel(e.extProc);
  const { exchange, drain } = benchExchange(e.models[0].model);
  const pipelined = pipelinedExchange(e.models[0].model);
  const json: Record<string, unknown> = {};
  const rows = [];
  try {
    // Connection, JIT and the EPP's first picks, outside the measured rounds, for both tools.
    await closedLoop(100, 8, () => exchange(channel), drain);
    await ghzRun(ghz, e.extProc, dataFile, 100, 8);
    for (const streams of STREAMS) {
      ctx.progress(`ext_proc: driver and ghz, ${ROUNDS} rounds of ${REQUESTS} exchanges at ${streams} streams`);
      const loadBefore = loadAverage();
      const driverRounds: LoadResult[] = [];
      const ghzRounds: GhzResult[] = [];
      const pipelinedRounds: LoadResult[] = [];
      const runners = [
        async (): Promise<void> => {
          driverRounds.push(await closedLoop(REQUESTS, streams, () => exchange(channel), drain));
        },
        async (): Promise<void> => {
          ghzRounds.push(await ghzRun(ghz, e.extProc, dataFile, REQUESTS, streams));
        },
        async (): Promise<void> => {
          pipelinedRounds.push(await closedLoop(REQUESTS, streams, () => pipelined(channel)));
        },
      ];
      // Each round starts with the next tool, so none always runs first (or last) in a changing load.
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < runners.length; k++) await runners[(round + k) % runners.length]();
      }
      const driver = medianRound(driverRounds);
      const g = medianRound(ghzRounds);
      const pipe = medianRound(pipelinedRounds);
      const ratio = round2(driver.rps / g.rps);
      json[String(streams)] = {
        driver: { ...driver, cpuMsPerRequest: median(driverRounds.map((r) => r.cpuMsPerRequest)) },
        ghz: g,
        ratio,
        driverInGhzOrder: { ...pipe, ratio: round2(pipe.rps / g.rps) },
        rounds: {
          driverRps: driverRounds.map((r) => Math.round(r.rps)),
          ghzRps: ghzRounds.map((r) => Math.round(r.rps)),
          driverInGhzOrderRps: pipelinedRounds.map((r) => Math.round(r.rps)),
        },
        loadAverage: { before: loadBefore, after: loadAverage() },
      };
      rows.push({
        measure: `ext_proc, ${streams} streams`,
        value: `${ratio.toFixed(2)}x`,
        detail:
          `driver ${driver.rps} req/s (p50 ${driver.latencyMs.p50} ms, p99 ${driver.latencyMs.p99} ms), ` +
          `ghz ${g.rps} req/s (p50 ${g.latencyMs.p50} ms, p99 ${g.latencyMs.p99} ms); ` +
          `in ghz's order ${pipe.rps} req/s (${round2(pipe.rps / g.rps).toFixed(2)}x); ` +
          `median of ${ROUNDS} rounds x ${REQUESTS}; load ${loadBefore[0]}`,
      });
    }
  } finally {
    channel.close();
  }
  return {
    key: 'extProc',
    rows,
    json: {
      exchange:
        'request headers + 1 body chunk, EPP decision, response headers + 1 body chunk; done at the last reply, ' +
        'then half-close, the status checked at the end of the round (as Envoy); ghz: all at once, done at the status',
      connections: 1,
      requestsPerRound: REQUESTS,
      rounds: ROUNDS,
      byStreams: json,
    },
  };
}
