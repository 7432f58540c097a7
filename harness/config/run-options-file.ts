/**
 * The run's options, resolved once (by the CLI, or by the jest global setup when jest is started directly) and
 * written to the run's folder. Everything inside a run (global setup, useTopology, applicability, scenarios)
 * reads that file, plus a scenario file's own overrides; nothing re-reads the environment, so no option can be
 * lost on the way (they used to travel as EPP_E2E_* variables, which dropped some of them).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_EPP, resolveRunOptions, type RawOptions, type RunOptions } from './run-options';

/** Where the run's options.json is; set for the jest process by the CLI or the global setup. */
export const OPTIONS_FILE_ENV = 'EPP_E2E_OPTIONS_FILE';

/** Writes the options into `dir` (created if needed) and returns the file's path. */
export function writeRunOptions(dir: string, opts: RunOptions): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify(opts, null, 2) + '\n');
  return file;
}

/** The run's options, or undefined outside a run (a scenario file started by jest alone, before global setup). */
export function readRunOptions(env: NodeJS.ProcessEnv = process.env): RunOptions | undefined {
  const file = env[OPTIONS_FILE_ENV];
  if (!file) return undefined;
  if (!existsSync(file)) throw new Error(`${OPTIONS_FILE_ENV} names ${file}, which does not exist`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunOptions;
}

/** The raw form of resolved options: resolving it again (with no environment) gives the same options. */
export function toRawOptions(o: RunOptions): RawOptions {
  return {
    topology: o.topology,
    models: o.models,
    // With a binary, its contract stands for the version (and is not identified again).
    eppVersion: o.eppBinary ? undefined : o.eppVersion,
    eppBinary: o.eppBinary,
    eppContract: o.eppBinary ? (o.eppVersion === CUSTOM_EPP ? 'none' : o.eppVersion) : undefined,
    eppContractSource: o.eppContractSource,
    eppPlugins: o.eppPlugins,
    jaegerRelease: o.jaegerRelease,
    envoyVersion: o.envoyVersion,
    eppSampler: o.eppSampler,
    eppSamplerArg: o.eppSamplerArg,
    eppServiceName: o.eppServiceName,
    eppResourceAttributes: Object.entries(o.eppResourceAttributes)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    eppOtlpEndpoint: o.eppOtlpEndpoint,
    modelName: o.modelName,
    faults: o.faults.map((f) => `${f.component}:${f.fault}`),
    runsRoot: o.runsRoot,
    kvEventsEpp: o.kvEventsEpp,
    operatorMode: o.operatorMode,
    clusterName: o.kind.clusterName,
    reuseCluster: o.kind.reuseCluster,
    keepCluster: o.kind.keepCluster,
    operatorVersion: o.kind.operatorVersion,
    goTargetExe: o.kind.goTargetExe,
  };
}

/**
 * A scenario file's options: the run's, with the file's overrides applied and validated like flags. Outside a
 * run (jest started by hand without the global setup) the environment is resolved instead, as the CLI would.
 */
export function scenarioOptions(overrides: RawOptions = {}, env: NodeJS.ProcessEnv = process.env): RunOptions {
  const run = readRunOptions(env);
  if (!run) return resolveRunOptions(overrides, env);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as RawOptions;
  const base = toRawOptions(run);
  // A file that asks for another pinned EPP (a negative control) runs that build, not the run's --epp-binary.
  if (given.eppVersion && given.eppVersion !== run.eppVersion) {
    Object.assign(base, {
      eppBinary: undefined,
      eppContract: undefined,
      eppContractSource: undefined,
      eppPlugins: undefined,
    });
  } else if (given.eppVersion && run.eppBinary) {
    // The run's own EPP: its binary and contract stand for the version.
    delete given.eppVersion;
  }
  return resolveRunOptions({ ...base, ...given }, {});
}
