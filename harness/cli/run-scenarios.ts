import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { OptionError } from '../config/run-options';
import { REPO_ROOT } from '../tools/versions';

export function scenarioNames(dir = join(REPO_ROOT, 'scenarios')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.e2e.ts'))
    .map((f) => f.replace(/\.e2e\.ts$/, ''))
    .sort();
}

/** The jest command line for the chosen scenarios; patterns go first (--selectProjects takes several values). */
export function jestArgs(scenarios: string[], known = scenarioNames()): string[] {
  const unknown = scenarios.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new OptionError(
      `unknown scenario ${unknown.map((u) => `"${u}"`).join(', ')}; scenarios: ${known.join(', ')}`,
    );
  const patterns = scenarios.map((s) => `scenarios/${s}\\.e2e\\.ts$`);
  return [...patterns, '--selectProjects', 'e2e', '--runInBand'];
}

/** The environment that carries the run options to the scenarios (they read EPP_E2E_*). */
export function scenarioEnv(opts: RunOptions): NodeJS.ProcessEnv {
  return {
    EPP_E2E_TOPOLOGY: opts.topology,
    EPP_E2E_EPP_VERSION: opts.eppVersion,
    EPP_E2E_JAEGER_VERSION: opts.jaegerRelease,
    EPP_E2E_ENVOY_VERSION: opts.envoyVersion,
    EPP_E2E_RUNS_DIR: opts.runsRoot,
    // One topology for the scenario files whose options allow it (see harness/scenario/shared-topology.ts).
    EPP_E2E_SHARE_TOPOLOGY: '1',
    EPP_E2E_KIND_CLUSTER: opts.kind.clusterName,
    EPP_E2E_OPERATOR_VERSION: opts.kind.operatorVersion,
    ...(opts.kind.reuseCluster ? { EPP_E2E_REUSE_CLUSTER: '1' } : {}),
    ...(opts.kind.keepCluster ? { EPP_E2E_KEEP_CLUSTER: '1' } : {}),
    ...(opts.faults.length ? { EPP_E2E_FAULTS: opts.faults.map((f) => `${f.component}:${f.fault}`).join(',') } : {}),
  };
}

/** Runs the scenarios under jest; JUnit goes to reports/junit.xml, failure artifacts under the runs directory. */
export function runScenarios(opts: RunOptions, scenarios: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<number> {
  const args = jestArgs(scenarios);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...scenarioEnv(opts), ...extraEnv },
      stdio: 'inherit',
    });
    child.on('exit', (code) => {
      process.stderr.write(
        `\nJUnit: ${extraEnv.JEST_JUNIT_OUTPUT_FILE ?? join(REPO_ROOT, 'reports', 'junit.xml')}\n` +
          `runs (logs, and failures/<scenario>/ with traces and trees on failure): ${opts.runsRoot}\n`,
      );
      resolve(code ?? 1);
    });
  });
}
