// What each command does, loaded when a command runs (main.ts imports it lazily): its module graph (components,
// drivers, Jaeger and Kubernetes clients) costs ~0.3 s of CPU to load, which `--help` and a flag error need not pay.
import { OptionError, resolveRunOptions, type RunOptions } from '../config/run-options';
import { compareRequest, progress, rawOptions, resolvedOptions, type Values } from './flag-values';
import { exec } from '../runtime/exec';
import { ensureDebianPackages } from '../tools/debian-packages';
import { ensureGoTool } from '../tools/build-go-tool';
import { buildableEppVersions, ensureKvEventsEpp, ensureLocalTools, eppSpec, kindSpec } from '../tools/tools';
import { loadVersions, selectPins } from '../tools/versions';
import { activeRuns, stopRun, writeUpState } from '../runtime/active-runs';
import { startTopology } from '../topology/start';
import { installSignalHandlers } from '../runtime/process-registry';
import type { Endpoints } from '../topology/types';
import { join } from 'node:path';
import { compareVariants, defaultCompareScenarios } from '../compare/compare';
import { REPO_ROOT } from '../tools/versions';
import { LOCAL_UPGRADE_SCENARIOS, localOperatorUpgradeCheck, operatorUpgradeCheck } from '../compare/upgrade-check';
import { ensureOperatorPathTools } from '../tools/operator-path-tools';
import { ensureOperator } from '../tools/operator-tool';
import { realKindDeps } from '../topology/kind/real-deps';
import { formatChecks, runDoctor } from './doctor';
import { faultsCommand } from './faults-command';
import { jestArgs, runScenarios, scenarioNames } from './run-scenarios';

export function describeEndpoints(e: Endpoints): string {
  return [
    `ready: ${e.topology} topology, EPP ${e.eppVersion}${e.eppBinary ? ` (binary ${e.eppBinary})` : ''}`,
    `  gateway (OpenAI via Envoy)  ${e.gateway}`,
    `  ext_proc (EPP gRPC)         ${e.extProc}`,
    `  KV events                   ${e.kvEvents ?? `not consumed by EPP ${e.eppVersion}`}`,
    `  EPP metrics                 ${e.eppMetrics}`,
    `  Jaeger query / UI           ${e.jaegerQuery}`,
    `  models                      ${e.models.map((m) => `${m.name}=${m.url}`).join(' ')}`,
    `  services                    epp=${e.services.epp} envoy=${e.services.envoy} model=${e.services.mockVllm}`,
    `  logs                        ${e.logsDir}`,
    'Ctrl-C or `epp-e2e down` stops everything.',
  ].join('\n');
}

/** The one-line JSON `up --json` prints for scripts. */
export function endpointsJson(e: Endpoints): string {
  return JSON.stringify({
    gateway: e.gateway,
    extProc: e.extProc,
    kvEvents: e.kvEvents,
    jaegerQuery: e.jaegerQuery,
    jaegerUi: e.jaegerUi,
    models: e.models,
    logsDir: e.logsDir,
    eppVersion: e.eppVersion,
    services: e.services,
  });
}

export async function packages(quiet: boolean): Promise<number> {
  const installed = await ensureDebianPackages(loadVersions().debianPackages, {
    // apt-get's output is progress worth seeing; dpkg-query's status lines are only read (and `--quiet` is silent).
    run: (cmd, args) =>
      exec(cmd, args, { timeoutMs: 600000, ...(cmd === 'apt-get' ? { onLine: (l) => progress(`  ${l}`) } : {}) }),
    isRoot: process.getuid?.() === 0,
    hasDpkg: await exec('dpkg-query', ['--version'], { timeoutMs: 15000 }).then(
      () => true,
      () => false,
    ),
    progress,
  });
  if (installed.length) progress(`installed: ${installed.join(' ')}`);
  else if (!quiet) progress('every Debian package of versions.yaml is installed');
  return 0;
}

export async function doctor(values: Values): Promise<number> {
  const opts = await resolvedOptions('doctor', values);
  const { text, ok } = formatChecks(
    await runDoctor(selectPins(loadVersions(), opts), opts.eppVersion, undefined, undefined, undefined, opts.eppBinary),
    opts.topology,
  );
  process.stdout.write(text + '\n');
  return ok ? 0 : 1;
}

/**
 * The tools of a topology: local builds every process (and, for the local suite, every pinned EPP version, which
 * the contract scenario's negative control runs, and the KV-events EPP); kind needs only the kind binary.
 */
async function ensureTopologyTools(
  opts: RunOptions,
  want: { allEppVersions: boolean; kvEventsEpp: boolean; kind: boolean; operatorPath: boolean },
): Promise<Record<string, string>> {
  const v = selectPins(loadVersions(), opts);
  const paths: Record<string, string> = {};
  if (opts.topology === 'local') {
    Object.assign(paths, await ensureLocalTools(v, opts.eppVersion, progress, opts.eppBinary));
    if (want.kvEventsEpp) paths['kv-events epp'] = (await ensureKvEventsEpp(v, progress)).binary;
    if (want.allEppVersions) {
      for (const name of buildableEppVersions(v)) {
        paths[`epp ${name}`] = Object.values(await ensureGoTool(eppSpec(v, name), progress))[0];
      }
    }
    // The injection scenario (local operator mode) and upgrade-check --topology local: both operators, the agent.
    if (want.operatorPath) Object.assign(paths, await ensureOperatorPathTools(v, progress));
  }
  if (want.kind || opts.topology === 'kind') Object.assign(paths, await ensureGoTool(kindSpec(v), progress));
  return paths;
}

export async function tools(values: Values): Promise<number> {
  // No probe: building tools for a topology does not need it to run here.
  const opts = resolveRunOptions({ ...rawOptions(values), topology: (values.topology as string) ?? 'local' });
  const paths = await ensureTopologyTools(opts, {
    allEppVersions: Boolean(values['all-epp-versions']),
    // The kv-events scenario, part of the local suite, runs it.
    kvEventsEpp: true,
    kind: Boolean(values.kind),
    operatorPath: true,
  });
  for (const [name, path] of Object.entries(paths)) process.stdout.write(`${name.padEnd(14)} ${path}\n`);
  return 0;
}

/** `up` with its options resolved (resolvedOptions, before this module loaded: a flag error answers at once). */
export async function up(opts: RunOptions, json: boolean): Promise<number> {
  const topology = await startTopology(opts, progress);
  writeUpState(topology.endpoints.runDir);
  installSignalHandlers(() => topology.stop());
  process.stdout.write((json ? endpointsJson(topology.endpoints) : describeEndpoints(topology.endpoints)) + '\n');
  // Stay up until a signal arrives; the signal handler stops everything and exits.
  await new Promise<never>(() => {
    setInterval(() => undefined, 1 << 30);
  });
  return 0;
}

export async function runCommand(values: Values): Promise<number> {
  const scenarios = (values.scenario as string[] | undefined) ?? scenarioNames();
  jestArgs(scenarios); // validates the names before anything starts
  const opts = await resolvedOptions('run', values);
  await ensureTopologyTools(opts, {
    // The contract scenario's negative control runs the other pinned EPP versions.
    allEppVersions: scenarios.includes('contract'),
    kvEventsEpp: scenarios.includes('kv-events'),
    kind: false,
    operatorPath: scenarios.includes('injection'),
  });
  return runScenarios(opts, scenarios);
}

export async function compare(values: Values): Promise<number> {
  const { subject, variants } = compareRequest(values);
  const scenarios = (values.scenario as string[] | undefined) ?? defaultCompareScenarios();
  jestArgs(scenarios);
  for (const v of variants) {
    if (v.opts.topology === 'local')
      await ensureLocalTools(selectPins(loadVersions(), v.opts), v.opts.eppVersion, progress);
  }
  const out = join(REPO_ROOT, 'reports', 'compare');
  const result = await compareVariants(subject, variants, scenarios, out, progress);
  process.stdout.write(`${result.text}\n\nreports: ${result.markdownFile}\n         ${result.htmlFile}\n`);
  return result.regressed ? 1 : 0;
}

export async function upgradeCheck(values: Values): Promise<number> {
  // kind by default (the nightly's cluster); --topology local runs both operators as local processes (no Docker).
  const local = values.topology === 'local';
  const opts = resolveRunOptions({ ...rawOptions(values), topology: local ? 'local' : 'kind' });
  const v = loadVersions();
  const from = resolveRunOptions({ operatorVersion: (values.from as string | undefined) ?? v.kind.operator.previous })
    .kind.operatorVersion;
  const to = resolveRunOptions({ operatorVersion: (values.to as string | undefined) ?? v.kind.operator.default }).kind
    .operatorVersion;
  if (from === to) throw new OptionError(`upgrade-check needs two different operator versions, got ${from} twice`);
  const scenarios =
    (values.scenario as string[] | undefined) ?? (local ? LOCAL_UPGRADE_SCENARIOS : defaultCompareScenarios());
  jestArgs(scenarios);
  const out = join(REPO_ROOT, 'reports', 'upgrade-check');
  let result;
  if (local) {
    const pins = selectPins(v, opts);
    await ensureLocalTools(pins, opts.eppVersion, progress);
    await ensureOperatorPathTools(pins, progress);
    for (const version of [from, to]) await ensureOperator(pins, version, progress);
    result = await localOperatorUpgradeCheck(opts, from, to, scenarios, out, progress);
  } else {
    const deps = await realKindDeps(opts, progress);
    result = await operatorUpgradeCheck(opts, from, to, scenarios, out, deps, progress);
  }
  process.stdout.write(`${result.text}\n\nreports: ${result.markdownFile}\n         ${result.htmlFile}\n`);
  return result.regressed ? 1 : 0;
}

export async function faults(values: Values): Promise<number> {
  // --fault picks which switches to try; each run carries one. Local unless told otherwise.
  const opts = resolveRunOptions({
    ...rawOptions(values),
    topology: (values.topology as string | undefined) ?? 'local',
    faults: [],
  });
  const wanted = (values.fault as string[] | undefined) ?? [];
  return faultsCommand(opts, wanted, { updateReadme: values['update-readme'] === true }, progress);
}

export async function down(): Promise<number> {
  const runs = activeRuns(resolveRunOptions({}).runsRoot);
  if (runs.length === 0) process.stdout.write('no run is up\n');
  for (const run of runs) {
    const { killed } = await stopRun(run);
    process.stdout.write(`stopped ${run.runDir}${killed ? ` (killed ${killed} leftover process groups)` : ''}\n`);
  }
  return 0;
}
