// `make bench`: what the harness costs, measured on the local topology. A benchmark, not a test: it prints a
// table and writes reports/bench.json for comparing runs; nothing here passes or fails on a number.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenarios } from '../cli/run-scenarios';
import { resolveRunOptions } from '../config/run-options';
import { extProcChannel, processThroughEpp } from '../drivers/extproc/client';
import { newTraceparent, sendCompletion } from '../drivers/openai';
import { ensureGoTool } from '../tools/build-go-tool';
import { ensureLocalTools, ghzSpec } from '../tools/tools';
import { loadVersions, REPO_ROOT, selectPins } from '../tools/versions';
import { installSignalHandlers } from '../runtime/process-registry';
import { startTopology } from '../topology/start';
import { JaegerClient } from '../traces/jaeger-client';
import { ghzMessages, ghzRps } from './ghz';
import { formatTable, percentile, type BenchRow } from './stats';

const TRACE_REQUESTS = Number(process.env.BENCH_TRACE_REQUESTS ?? 200);
const EXTPROC_REQUESTS = Number(process.env.BENCH_EXTPROC_REQUESTS ?? 400);
const CANNED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' };
const progress = (m: string): void => {
  process.stderr.write(`[bench] ${m}\n`);
};

async function main(): Promise<void> {
  const opts = resolveRunOptions({ models: '2' });
  await ensureLocalTools(selectPins(loadVersions(), opts), opts.eppVersion, progress);
  const rows: BenchRow[] = [];
  const results: Record<string, unknown> = { eppVersion: opts.eppVersion, at: new Date().toISOString() };

  let t0 = Date.now();
  const topology = await startTopology(opts, progress);
  const removeHandlers = installSignalHandlers(() => topology.stop());
  const coldStartMs = Date.now() - t0;
  rows.push({
    measure: 'cold start to ready',
    value: `${(coldStartMs / 1000).toFixed(1)} s`,
    detail: 'tools cached; etcd, kube-apiserver, Jaeger, 2 mocks, EPP, Envoy',
  });
  results.coldStartMs = coldStartMs;
  try {
    const e = topology.endpoints;
    const jaeger = new JaegerClient(e.jaegerQuery);
    progress(`trace completion latency over ${TRACE_REQUESTS} requests`);
    const latencies: number[] = [];
    for (let i = 0; i < TRACE_REQUESTS; i++) {
      const client = newTraceparent(true);
      await sendCompletion(e.gateway, { model: e.models[0].model, headers: { traceparent: client.traceparent } });
      const done = Date.now();
      for (;;) {
        const t = await jaeger.getTrace(client.traceId);
        if (
          t &&
          t.spans.some((s) => s.name === 'ingress') &&
          t.spans.some((s) => s.name === 'llm_request') &&
          t.spans.length >= 3
        )
          break;
        if (Date.now() - done > 30000) throw new Error(`trace ${client.traceId} not complete after 30 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      latencies.push(Date.now() - done);
    }
    results.traceLatencyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), n: latencies.length };
    rows.push({
      measure: 'request end -> trace complete',
      value: `${percentile(latencies, 50)} ms`,
      detail: `p50; p95 ${percentile(latencies, 95)} ms over ${latencies.length} requests (Envoy + mock spans in Jaeger, 10 ms polls)`,
    });

    const channel = extProcChannel(e.extProc);
    const throughput: Record<string, number> = {};
    const ghzThroughput: Record<string, number> = {};
    const ghz = Object.values(await ensureGoTool(ghzSpec(loadVersions()), progress))[0];
    const dataFile = join(topology.endpoints.runDir, 'ghz-messages.json');
    writeFileSync(dataFile, ghzMessages(e.models[0].model));
    for (const concurrency of [1, 8, 32]) {
      progress(`ext_proc driver: ${EXTPROC_REQUESTS} requests at ${concurrency} concurrent streams`);
      let next = 0;
      t0 = Date.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < EXTPROC_REQUESTS) {
            next++;
            await processThroughEpp(channel, {
              body: { model: e.models[0].model, prompt: 'bench', max_tokens: 1 },
              upstream: CANNED,
            });
          }
        }),
      );
      const rps = EXTPROC_REQUESTS / ((Date.now() - t0) / 1000);
      throughput[String(concurrency)] = Math.round(rps);
      const ghzRate = await ghzRps(ghz, e.extProc, dataFile, EXTPROC_REQUESTS, concurrency);
      ghzThroughput[String(concurrency)] = Math.round(ghzRate);
      rows.push({
        measure: `ext_proc, ${concurrency} streams`,
        value: `${Math.round(rps)} req/s`,
        detail: `our driver; ghz ${Math.round(ghzRate)} req/s (driver/ghz ${(rps / ghzRate).toFixed(2)}); ${EXTPROC_REQUESTS} exchanges each, real EPP`,
      });
    }
    channel.close();
    results.extProcRequestsPerSecond = { driver: throughput, ghz: ghzThroughput };
  } finally {
    await topology.stop();
    removeHandlers();
  }

  progress('scenario suite wall time');
  t0 = Date.now();
  const code = await runScenarios(
    opts,
    ['smoke', 'propagation', 'contract', 'attributes', 'sampling', 'exporter-faults'],
    {
      JEST_JUNIT_OUTPUT_FILE: join(REPO_ROOT, 'reports', 'bench-junit.xml'),
    },
  );
  const suiteMs = Date.now() - t0;
  results.suite = { wallMs: suiteMs, exitCode: code };
  rows.push({
    measure: 'scenario suite wall time',
    value: `${(suiteMs / 1000).toFixed(0)} s`,
    detail: `all EPP scenarios; one topology shared by the files whose options allow it${code ? ` (exit ${code}: see above)` : ''}`,
  });

  mkdirSync(join(REPO_ROOT, 'reports'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'reports', 'bench.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`\n${formatTable(rows)}\n\nJSON: ${join(REPO_ROOT, 'reports', 'bench.json')}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});
