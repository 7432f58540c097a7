import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { OptionError } from '../config/run-options';
import { REPO_ROOT } from '../tools/versions';
import { OPTIONS_FILE_ENV, writeRunOptions } from '../config/run-options-file';
import { SHARE_FLAG } from '../scenario/shared-topology';

export function scenarioNames(dir = join(REPO_ROOT, 'scenarios')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.e2e.ts'))
    .map((f) => f.replace(/\.e2e\.ts$/, ''))
    .sort();
}

/**
 * How many scenario files run at once. Local: one per core, up to 3 (each file with its own options runs its own
 * topology, about 1 GB; the files on the shared topology take turns, see holdSharedTopology). Kind: one, since
 * every file brings its namespace up in the same cluster.
 */
export function scenarioWorkers(topology: RunOptions['topology'], cores = availableParallelism()): number {
  return topology === 'local' ? Math.max(1, Math.min(3, cores)) : 1;
}

/** The jest command line for the chosen scenarios; patterns go first (--selectProjects takes several values). */
export function jestArgs(scenarios: string[], known = scenarioNames(), workers = 1): string[] {
  const unknown = scenarios.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new OptionError(
      `unknown scenario ${unknown.map((u) => `"${u}"`).join(', ')}; scenarios: ${known.join(', ')}`,
    );
  const patterns = scenarios.map((s) => `scenarios/${s}\\.e2e\\.ts$`);
  return [...patterns, '--selectProjects', 'e2e', ...(workers > 1 ? [`--maxWorkers=${workers}`] : ['--runInBand'])];
}

/**
 * The environment of the jest process: where the run's resolved options are (written once, here) and whether the
 * scenario files share one topology where their options allow it. JUnit goes to reports/junit-e2e.xml (the unit
 * tests write junit-unit.xml) unless the caller names another file.
 */
export function scenarioEnv(optionsFile: string, share = true): NodeJS.ProcessEnv {
  return {
    [OPTIONS_FILE_ENV]: optionsFile,
    // One topology for the scenario files whose options allow it (see harness/scenario/shared-topology.ts), and
    // one control plane for the local topologies that can use it (topology/local/control-plane.ts).
    ...(share ? { [SHARE_FLAG]: '1' } : {}),
    JEST_JUNIT_OUTPUT_NAME: E2E_JUNIT,
  };
}

/**
 * Whether a run of these scenarios (none named: all) shares a topology and a control plane. One file gains nothing
 * by it: it would use the shared topology instead of its own, or (a file with options of its own, or none at all,
 * like cli-lifecycle) pay for a topology nothing uses, beside its own start.
 */
export function sharesTopology(scenarios: string[]): boolean {
  return scenarios.length !== 1;
}

export const E2E_JUNIT = 'junit-e2e.xml';

/** Runs the scenarios under jest; failure artifacts go under the runs directory. */
export function runScenarios(opts: RunOptions, scenarios: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<number> {
  const args = jestArgs(scenarios, scenarioNames(), scenarioWorkers(opts.topology));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const optionsFile = writeRunOptions(join(opts.runsRoot, `run-${stamp}-${process.pid}`), opts);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...scenarioEnv(optionsFile, sharesTopology(scenarios)), ...extraEnv },
      stdio: 'inherit',
    });
    child.on('exit', (code) => {
      process.stderr.write(
        `\nJUnit: ${extraEnv.JEST_JUNIT_OUTPUT_FILE ?? join(REPO_ROOT, 'reports', E2E_JUNIT)}\n` +
          `options: ${optionsFile}\n` +
          `runs (logs, and failures/<scenario>/ with traces and trees on failure): ${opts.runsRoot}\n`,
      );
      resolve(code ?? 1);
    });
  });
}
