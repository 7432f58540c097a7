import { parseArgs } from 'node:util';
import { OptionError, resolveRunOptions, type RawOptions } from '../config/run-options';
import { ensureGoTool } from '../tools/build-go-tool';
import { ensureKvEventsEpp, ensureLocalTools, eppSpec, kindSpec } from '../tools/tools';
import { loadVersions, selectPins } from '../tools/versions';
import { activeRuns, stopRun, writeUpState } from '../runtime/active-runs';
import { startTopology } from '../topology/start';
import { installSignalHandlers } from '../runtime/process-registry';
import type { Endpoints } from '../topology/types';
import { join } from 'node:path';
import { compareVariants, defaultCompareScenarios, type Variant } from '../compare/compare';
import { REPO_ROOT } from '../tools/versions';
import { operatorUpgradeCheck } from '../compare/upgrade-check';
import { realKindDeps } from '../topology/kind/real-deps';
import { formatChecks, runDoctor } from './doctor';
import { faultsCommand } from './faults-command';
import { jestArgs, runScenarios, scenarioNames } from './run-scenarios';

const USAGE = `usage: epp-e2e <command> [options]

commands:
  doctor [--topology local|kind] [--epp-version V]   check prerequisites and pinned tools
  tools  [--topology local|kind] [--epp-version V] [--all-epp-versions] [--kind]
                                                     build/download the pinned tools into the cache
  up     [--topology local|kind] [--models N] [--epp-version V] [--json] [--fault mock-vllm:FAULT ...]
         [--epp-sampler NAME] [--epp-sampler-arg R]   start everything, print endpoints, run until Ctrl-C
  run    [--scenario NAME ...] [--fault mock-vllm:FAULT ...] [--epp-version V] [--topology local|kind]
                                                     run scenarios (all by default); a fault must make them fail
  faults [--fault COMPONENT:FAULT ...] [--topology local|kind] [--update-readme]
                                                     every fault switch on in turn against the scenarios that
                                                     own it: a table of caught/missed (reports/faults.*);
                                                     exit 1 when one is missed
  compare --epp-version A --epp-version B [--scenario NAME ...]
          (or --envoy-version A --envoy-version B, or --jaeger-version A --jaeger-version B)
                                                     trace-shape diff and scenario outcomes of two versions
  upgrade-check [--from V1] [--to V2] [--scenario NAME ...]
                                                     kind: scenarios and trace shapes on operator V1, upgrade
                                                     in place to V2, run again, diff; exit 1 on a regression
  down                                               stop every run started by \`up\` from this checkout

kind topology options (up, run, upgrade-check):
  --operator-version V|latest   OpenTelemetry Operator release (default in versions.yaml)
  --cluster-name NAME           kind cluster name (default in versions.yaml)
  --reuse-cluster               run in an existing cluster of that name instead of creating one
  --keep-cluster                do not delete the cluster at the end (or after a failure)
`;

const OPTIONS = {
  topology: { type: 'string' },
  models: { type: 'string' },
  'epp-version': { type: 'string', multiple: true },
  'jaeger-version': { type: 'string', multiple: true },
  'envoy-version': { type: 'string', multiple: true },
  'epp-sampler': { type: 'string' },
  'epp-sampler-arg': { type: 'string' },
  fault: { type: 'string', multiple: true },
  scenario: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'cluster-name': { type: 'string' },
  'reuse-cluster': { type: 'boolean' },
  'keep-cluster': { type: 'boolean' },
  'operator-version': { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  kind: { type: 'boolean' },
  'all-epp-versions': { type: 'boolean' },
  'update-readme': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const progress = (m: string): void => {
  process.stderr.write(`[epp-e2e] ${m}\n`);
};

export function describeEndpoints(e: Endpoints): string {
  return [
    `ready: ${e.topology} topology, EPP ${e.eppVersion}`,
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

function rawOptions(values: Record<string, unknown>): RawOptions {
  return {
    topology: values.topology as string | undefined,
    models: values.models as string | undefined,
    eppVersion: (values['epp-version'] as string[] | undefined)?.at(-1),
    jaegerRelease: (values['jaeger-version'] as string[] | undefined)?.at(-1),
    envoyVersion: (values['envoy-version'] as string[] | undefined)?.at(-1),
    eppSampler: values['epp-sampler'] as string | undefined,
    eppSamplerArg: values['epp-sampler-arg'] as string | undefined,
    faults: values.fault as string[] | undefined,
    clusterName: values['cluster-name'] as string | undefined,
    reuseCluster: values['reuse-cluster'] as boolean | undefined,
    keepCluster: values['keep-cluster'] as boolean | undefined,
    operatorVersion: (values['operator-version'] as string[] | undefined)?.at(-1),
  };
}

const COMPARABLE = [
  { flag: 'epp-version', subject: 'EPP', key: 'eppVersion' },
  { flag: 'envoy-version', subject: 'Envoy', key: 'envoyVersion' },
  { flag: 'jaeger-version', subject: 'Jaeger', key: 'jaegerRelease' },
] as const;

/** What `compare` was asked: exactly one component given twice (A, then B); the rest stays at its pin. */
export function compareRequest(values: Record<string, unknown>): { subject: string; variants: [Variant, Variant] } {
  const given = COMPARABLE.filter((c) => ((values[c.flag] as string[] | undefined) ?? []).length > 0);
  const usage = 'compare takes exactly two of one of --epp-version, --envoy-version, --jaeger-version (A, then B)';
  if (given.length !== 1) throw new OptionError(usage);
  const [c] = given;
  const pair = values[c.flag] as string[];
  if (pair.length !== 2) throw new OptionError(usage);
  const variants = pair.map((version) => {
    const opts = resolveRunOptions({ ...rawOptions(values), [c.key]: version });
    return { version: String(opts[c.key]), opts };
  }) as [Variant, Variant];
  if (variants[0].version === variants[1].version) {
    throw new OptionError(`compare needs two different versions, got ${variants[0].version} twice`);
  }
  return { subject: c.subject, variants };
}

async function up(values: Record<string, unknown>): Promise<number> {
  const opts = resolveRunOptions(rawOptions(values));
  const topology = await startTopology(opts, progress);
  writeUpState(topology.endpoints.runDir);
  installSignalHandlers(() => topology.stop());
  process.stdout.write(
    (values.json ? endpointsJson(topology.endpoints) : describeEndpoints(topology.endpoints)) + '\n',
  );
  // Stay up until a signal arrives; the signal handler stops everything and exits.
  await new Promise<never>(() => {
    setInterval(() => undefined, 1 << 30);
  });
  return 0;
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let code = 0;
  try {
    const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
    if (!command || values.help || command === 'help') {
      process.stdout.write(USAGE);
      code = command ? 0 : 2;
    } else if (command === 'doctor') {
      const opts = resolveRunOptions(rawOptions(values));
      const { text, ok } = formatChecks(
        await runDoctor(selectPins(loadVersions(), opts), opts.eppVersion),
        opts.topology,
      );
      process.stdout.write(text + '\n');
      code = ok ? 0 : 1;
    } else if (command === 'tools') {
      const opts = resolveRunOptions(rawOptions(values));
      const v = selectPins(loadVersions(), opts);
      // The kind topology runs images; it needs only the kind binary (and the EPP module's CRDs, downloaded).
      const paths: Record<string, string> =
        opts.topology === 'kind' ? {} : { ...(await ensureLocalTools(v, opts.eppVersion, progress)) };
      // The kv-events scenario (part of the local suite) runs the KV-events EPP: a cgo build (versions.yaml).
      if (opts.topology === 'local') paths['kv-events epp'] = (await ensureKvEventsEpp(v, progress)).binary;
      if (values['all-epp-versions'] && opts.topology === 'local') {
        for (const name of Object.keys(v.epp.versions)) {
          paths[`epp ${name}`] = Object.values(await ensureGoTool(eppSpec(v, name), progress))[0];
        }
      }
      if (values.kind || opts.topology === 'kind') Object.assign(paths, await ensureGoTool(kindSpec(v), progress));
      for (const [name, path] of Object.entries(paths)) process.stdout.write(`${name.padEnd(14)} ${path}\n`);
    } else if (command === 'up') {
      code = await up(values);
    } else if (command === 'run') {
      const opts = resolveRunOptions(rawOptions(values));
      const scenarios = (values.scenario as string[] | undefined) ?? scenarioNames();
      jestArgs(scenarios); // validates the names before anything starts
      if (opts.topology === 'local')
        await ensureLocalTools(selectPins(loadVersions(), opts), opts.eppVersion, progress);
      code = await runScenarios(opts, scenarios);
    } else if (command === 'faults') {
      // --fault here picks which switches to try; the run itself carries one at a time.
      const opts = resolveRunOptions({ ...rawOptions(values), faults: [] });
      const wanted = (values.fault as string[] | undefined) ?? [];
      code = await faultsCommand(opts, wanted, { updateReadme: values['update-readme'] === true }, progress);
    } else if (command === 'compare') {
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
      code = result.regressed ? 1 : 0;
    } else if (command === 'upgrade-check') {
      const opts = resolveRunOptions({ ...rawOptions(values), topology: 'kind' });
      const v = loadVersions();
      const from = resolveRunOptions({
        operatorVersion: (values.from as string | undefined) ?? v.kind.operator.previous,
      }).kind.operatorVersion;
      const to = resolveRunOptions({ operatorVersion: (values.to as string | undefined) ?? v.kind.operator.default })
        .kind.operatorVersion;
      if (from === to) throw new OptionError(`upgrade-check needs two different operator versions, got ${from} twice`);
      const scenarios = (values.scenario as string[] | undefined) ?? defaultCompareScenarios();
      jestArgs(scenarios);
      const deps = await realKindDeps(opts, progress);
      const out = join(REPO_ROOT, 'reports', 'upgrade-check');
      const result = await operatorUpgradeCheck(opts, from, to, scenarios, out, deps, progress);
      process.stdout.write(`${result.text}\n\nreports: ${result.markdownFile}\n         ${result.htmlFile}\n`);
      code = result.regressed ? 1 : 0;
    } else if (command === 'down') {
      const runs = activeRuns(resolveRunOptions({}).runsRoot);
      if (runs.length === 0) process.stdout.write('no run is up\n');
      for (const run of runs) {
        const { killed } = await stopRun(run);
        process.stdout.write(`stopped ${run.runDir}${killed ? ` (killed ${killed} leftover process groups)` : ''}\n`);
      }
    } else {
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      code = 2;
    }
  } catch (err) {
    const e = err as Error;
    // Node's parseArgs errors carry a string code; others (ExecError) may carry a number.
    const errCode = (e as { code?: unknown }).code;
    const usage = e instanceof OptionError || (typeof errCode === 'string' && errCode.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`epp-e2e: ${e.message}\n`);
    code = usage ? 2 : 1;
  }
  process.exit(code);
}
