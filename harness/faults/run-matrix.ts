import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { jestArgs, scenarioEnv } from '../cli/run-scenarios';
import type { RunOptions } from '../config/run-options';
import { writeRunOptions } from '../config/run-options-file';
import { REPO_ROOT } from '../tools/versions';
import { judgeFault, renderMatrixMarkdown, type FaultRun, type MatrixRow, type ScenarioOutcome } from './matrix';
import { faultId, type FaultSwitch } from './types';

/** What outcome-reporter.js writes: the part of jest's --json output the matrix reads. */
interface JestJson {
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { status: string; failureMessages: string[] }[];
  }[];
}

/** Per scenario file: failed or not, and every failure message (a suite that could not run has one, its own). */
export function outcomesFromJestJson(json: JestJson): ScenarioOutcome[] {
  return json.testResults.map((r) => {
    const failures = r.assertionResults.filter((a) => a.status === 'failed').flatMap((a) => a.failureMessages);
    if (failures.length === 0 && r.message) failures.push(r.message);
    return { scenario: basename(r.name).replace(/\.e2e\.ts$/, ''), failed: r.status === 'failed', failures };
  });
}

/** Runs the owning scenarios under jest with one fault on; the output goes to a log, the results to JSON. */
export async function runWithFault(opts: RunOptions, f: FaultSwitch, outDir: string): Promise<FaultRun> {
  const id = faultId(f).replace(':', '--');
  const log = join(outDir, 'logs', `${id}.log`);
  const jsonFile = join(outDir, 'logs', `${id}.outcome.json`);
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  rmSync(jsonFile, { force: true });
  const scenarios = [...new Set(f.owners.map((o) => o.scenario))];
  const started = Date.now();
  const withFault: RunOptions = { ...opts, faults: [{ component: f.component, fault: f.name }] };
  // The run's resolved options, written once where the scenarios read them (as epp-e2e run does).
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const optionsFile = writeRunOptions(join(opts.runsRoot, `faults-${id}-${stamp}-${process.pid}`), withFault);
  await new Promise<void>((resolve) => {
    const out = createWriteStream(log);
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        ...jestArgs(scenarios),
        // The config's reporters plus ours (naming any replaces the config's list).
        '--reporters=default',
        '--reporters=jest-junit',
        `--reporters=${join(__dirname, 'outcome-reporter.js')}`,
      ],
      {
        cwd: REPO_ROOT,
        // Its own JUnit file: reports/junit.xml stays the suite's.
        env: {
          ...process.env,
          ...scenarioEnv(optionsFile),
          EPP_E2E_OUTCOME_FILE: jsonFile,
          JEST_JUNIT_OUTPUT_FILE: join(outDir, 'logs', `${id}.junit.xml`),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('close', () => out.end(() => resolve()));
  });
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(jsonFile)) {
    // jest itself failed before reporting: every owner is missed, pointing at the log.
    return { scenarios: [], seconds, log };
  }
  return { scenarios: outcomesFromJestJson(JSON.parse(readFileSync(jsonFile, 'utf8')) as JestJson), seconds, log };
}

/** Every fault in turn (one topology per run: a fault is on from start-up), judged as it finishes. */
export async function runFaultMatrix(
  opts: RunOptions,
  faults: FaultSwitch[],
  outDir: string,
  progress: (m: string) => void,
  run: (f: FaultSwitch) => Promise<FaultRun> = (f) => runWithFault(opts, f, outDir),
): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const [i, f] of faults.entries()) {
    progress(`fault ${i + 1}/${faults.length}: ${faultId(f)} against ${f.owners.map((o) => o.scenario).join(', ')}`);
    const row = judgeFault(f, await run(f));
    progress(
      `  ${row.caught ? 'caught' : 'MISSED'} in ${row.seconds.toFixed(1)}s: ${row.verdicts.map((v) => v.message).join(' | ')}`,
    );
    rows.push(row);
  }
  return rows;
}

/** reports/faults.json and reports/faults.md. */
export function writeMatrixReports(rows: MatrixRow[], reportsDir: string): { json: string; markdown: string } {
  mkdirSync(reportsDir, { recursive: true });
  const json = join(reportsDir, 'faults.json');
  const markdown = join(reportsDir, 'faults.md');
  writeFileSync(json, JSON.stringify({ caught: rows.every((r) => r.caught), rows }, null, 2));
  writeFileSync(markdown, renderMatrixMarkdown(rows));
  return { json, markdown };
}
