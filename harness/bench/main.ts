// `make bench`: what the harness costs, measured on the local topology. A benchmark, not a test: it prints a
// table and writes reports/bench.json for comparing runs; nothing here passes or fails on a number.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenarios, scenarioNames } from '../cli/run-scenarios';
import { resolveRunOptions } from '../config/run-options';
import { ensureLocalTools } from '../tools/tools';
import { loadVersions, REPO_ROOT, selectPins } from '../tools/versions';
import { installSignalHandlers } from '../runtime/process-registry';
import { startTopology } from '../topology/start';
import { checkOverhead } from './check-overhead';
import { extProcVsGhz } from './extproc-vs-ghz';
import { absenceDecision } from './absence';
import { loadAverage, type BenchSection, type Measure } from './section';
import { formatTable, type BenchRow } from './stats';
import { fileTimes, JUNIT_FILE_ATTRIBUTE_ENV } from './suite-files';
import { traceLatency } from './trace-latency';

const progress = (m: string): void => {
  process.stderr.write(`[bench] ${m}\n`);
};

/** The measures on one running topology, in order; each adds its rows and its key to bench.json. */
const ON_TOPOLOGY: Measure[] = [traceLatency, extProcVsGhz, checkOverhead, absenceDecision];

// Every scenario file, so each file's time is in the report.
const SUITE = scenarioNames();

async function main(): Promise<void> {
  const opts = resolveRunOptions({ models: '2' });
  await ensureLocalTools(selectPins(loadVersions(), opts), opts.eppVersion, progress);
  const rows: BenchRow[] = [];
  const results: Record<string, unknown> = {
    eppVersion: opts.eppVersion,
    at: new Date().toISOString(),
    loadAverage: { start: loadAverage() },
  };
  const add = (s: BenchSection): void => {
    rows.push(...s.rows);
    results[s.key] = s.json;
  };

  let t0 = Date.now();
  const topology = await startTopology(opts, progress);
  const removeHandlers = installSignalHandlers(() => topology.stop());
  const coldStartMs = Date.now() - t0;
  add({
    key: 'coldStartMs',
    rows: [
      {
        measure: 'cold start to ready',
        value: `${(coldStartMs / 1000).toFixed(1)} s`,
        detail: 'tools cached; etcd, kube-apiserver, Jaeger, 2 mocks, EPP, Envoy',
      },
    ],
    json: coldStartMs,
  });
  try {
    for (const measure of ON_TOPOLOGY) add(await measure({ opts, endpoints: topology.endpoints, progress }));
  } finally {
    await topology.stop();
    removeHandlers();
  }

  progress('scenario suite: wall time and each file');
  const junit = join(REPO_ROOT, 'reports', 'bench-junit.xml');
  t0 = Date.now();
  const code = await runScenarios(opts, SUITE, { JEST_JUNIT_OUTPUT_FILE: junit, ...JUNIT_FILE_ATTRIBUTE_ENV });
  const suiteMs = Date.now() - t0;
  const files = fileTimes(readFileSync(junit, 'utf8'));
  add({
    key: 'suite',
    rows: [
      {
        measure: 'scenario suite wall time',
        value: `${(suiteMs / 1000).toFixed(0)} s`,
        detail: `all EPP scenarios; one topology shared by the files whose options allow it${code ? ` (exit ${code}: see above)` : ''}`,
      },
      ...files.map((f) => ({
        measure: `  ${f.file}`,
        value: `${f.seconds.toFixed(1)} s`,
        detail: `${f.tests} tests${f.failures ? `, ${f.failures} failed` : ''}`,
      })),
    ],
    json: { wallMs: suiteMs, exitCode: code, files },
  });
  (results.loadAverage as Record<string, number[]>).end = loadAverage();

  mkdirSync(join(REPO_ROOT, 'reports'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'reports', 'bench.json'), JSON.stringify(results, null, 2));
  const load = results.loadAverage as { start: number[]; end: number[] };
  process.stdout.write(
    `\n${formatTable(rows)}\n\nload average (1/5/15 min): ${load.start.join(' ')} at start, ${load.end.join(' ')} at end` +
      `\nJSON: ${join(REPO_ROOT, 'reports', 'bench.json')}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});
