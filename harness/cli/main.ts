import { parseArgs } from 'node:util';
import { OptionError, resolveRunOptions, type RawOptions, type RunOptions } from '../config/run-options';
import { exec } from '../runtime/exec';
import { ensureDebianPackages } from '../tools/debian-packages';
import { chooseTopology, probeDocker } from './topology-choice';
import { ensureGoTool } from '../tools/build-go-tool';
import { buildableEppVersions, ensureKvEventsEpp, ensureLocalTools, eppSpec, kindSpec } from '../tools/tools';
import { loadVersions, selectPins } from '../tools/versions';
import { activeRuns, stopRun, writeUpState } from '../runtime/active-runs';
import { startTopology } from '../topology/start';
import { installSignalHandlers } from '../runtime/process-registry';
import type { Endpoints } from '../topology/types';
import { join } from 'node:path';
import { compareVariants, defaultCompareScenarios, type Variant } from '../compare/compare';
import { REPO_ROOT } from '../tools/versions';
import { LOCAL_UPGRADE_SCENARIOS, localOperatorUpgradeCheck, operatorUpgradeCheck } from '../compare/upgrade-check';
import { ensureOperatorPathTools } from '../tools/operator-path-tools';
import { ensureOperator } from '../tools/operator-tool';
import { realKindDeps } from '../topology/kind/real-deps';
import { formatChecks, runDoctor } from './doctor';
import { faultsCommand } from './faults-command';
import { jestArgs, runScenarios, scenarioNames } from './run-scenarios';

/** Every flag any command takes; each command lists the ones it takes (COMMANDS), and only those parse. */
const FLAGS = {
  topology: {
    type: 'string',
    arg: 'auto|local|kind',
    help: 'auto (default for run/up/doctor): kind when Docker answers',
  },
  models: { type: 'string', arg: 'N', help: 'mock vLLM servers (1-8)' },
  'epp-version': { type: 'string', multiple: true, arg: 'V', help: 'EPP pin from versions.yaml' },
  'epp-binary': { type: 'string', arg: 'PATH', help: 'local: run this EPP binary (built elsewhere) instead of a pin' },
  'epp-contract': {
    type: 'string',
    arg: 'NAME|none',
    help: "the --epp-binary's contract (default: what `go version -m` names)",
  },
  'epp-plugins': { type: 'string', arg: 'pd|kv-events', help: 'an llm-d-router plugin configuration (--epp-binary)' },
  'jaeger-version': { type: 'string', multiple: true, arg: 'V', help: 'Jaeger release (pin or alternative)' },
  'envoy-version': { type: 'string', multiple: true, arg: 'V', help: 'Envoy version (pin or alternative)' },
  'epp-sampler': { type: 'string', arg: 'NAME', help: "the EPP's OTEL_TRACES_SAMPLER" },
  'epp-sampler-arg': { type: 'string', arg: 'R', help: "the EPP's OTEL_TRACES_SAMPLER_ARG (0..1)" },
  fault: {
    type: 'string',
    multiple: true,
    arg: 'COMPONENT:FAULT',
    help: 'break a component on purpose (mock-vllm, envoy, epp; see README)',
  },
  'update-readme': { type: 'boolean', help: "rewrite the README's fault table from the declarations" },
  scenario: { type: 'string', multiple: true, arg: 'NAME', help: 'a scenario of scenarios/ (repeatable)' },
  json: { type: 'boolean', help: 'print the endpoints as one JSON line' },
  'cluster-name': { type: 'string', arg: 'NAME', help: 'kind cluster name' },
  'reuse-cluster': { type: 'boolean', help: 'kind: run in an existing cluster of that name' },
  'keep-cluster': { type: 'boolean', help: 'kind: do not delete the cluster at the end' },
  'operator-version': { type: 'string', multiple: true, arg: 'V|latest', help: 'OpenTelemetry Operator release' },
  from: { type: 'string', arg: 'V', help: 'operator release to upgrade from' },
  to: { type: 'string', arg: 'V', help: 'operator release to upgrade to' },
  kind: { type: 'boolean', help: 'also build the kind binary' },
  'all-epp-versions': { type: 'boolean', help: 'build every pinned EPP version' },
  quiet: { type: 'boolean', help: 'print nothing when nothing is missing' },
  'operator-mode': {
    type: 'boolean',
    help: "local: the EPP through a local OpenTelemetry Operator and its Go eBPF agent (its env is the operator's)",
  },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const;

type Flag = keyof typeof FLAGS;
type Values = Record<string, unknown>;

const KIND_FLAGS: Flag[] = ['cluster-name', 'reuse-cluster', 'keep-cluster', 'operator-version'];

interface Command {
  summary: string;
  flags: Flag[];
  run: (values: Values) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  packages: {
    summary: 'install the native Debian packages of versions.yaml (as root; otherwise print the command)',
    flags: ['quiet'],
    run: (values) => packages(Boolean(values.quiet)),
  },
  doctor: {
    summary: 'check prerequisites and pinned tools for a topology',
    flags: ['topology', 'epp-version', 'epp-binary', 'epp-contract'],
    run: (values) => doctor(values),
  },
  tools: {
    summary: 'build/download the pinned tools into the cache',
    flags: ['topology', 'epp-version', 'all-epp-versions', 'kind'],
    run: (values) => tools(values),
  },
  up: {
    summary: 'start everything, print the endpoints, run until Ctrl-C',
    flags: [
      'topology',
      'models',
      'epp-version',
      'epp-binary',
      'epp-contract',
      'epp-plugins',
      'jaeger-version',
      'envoy-version',
      'epp-sampler',
      'epp-sampler-arg',
      'fault',
      'json',
      'operator-mode',
      ...KIND_FLAGS,
    ],
    run: (values) => up(values),
  },
  run: {
    summary: 'run scenarios (all by default); a --fault must make them fail',
    flags: [
      'topology',
      'scenario',
      'fault',
      'epp-version',
      'epp-binary',
      'epp-contract',
      'jaeger-version',
      'envoy-version',
      ...KIND_FLAGS,
    ],
    run: (values) => runCommand(values),
  },
  compare: {
    summary: 'trace-shape diff and scenario outcomes of two versions of one component (A, then B)',
    flags: ['epp-version', 'envoy-version', 'jaeger-version', 'scenario', 'topology', ...KIND_FLAGS],
    run: (values) => compare(values),
  },
  'upgrade-check': {
    summary:
      'scenarios and trace shapes on operator --from, then --to (kind: upgraded in place; local: both as local ' +
      'processes, plus the diff of the mutated EPP pods), diff; exit 1 on a regression',
    flags: ['topology', 'from', 'to', 'scenario', 'cluster-name', 'reuse-cluster', 'keep-cluster'],
    run: (values) => upgradeCheck(values),
  },
  faults: {
    summary:
      'every fault switch (or each --fault) on in turn against the scenarios that own it: caught or MISSED, ' +
      'reports/faults.{md,json}; exit 1 when one is missed',
    flags: ['topology', 'fault', 'update-readme'],
    run: (values) => faults(values),
  },
  down: {
    summary: 'stop every run started by `up` from this checkout',
    flags: [],
    run: () => down(),
  },
};

function flagUsage(f: Flag): string {
  const def = FLAGS[f] as { arg?: string; help: string; multiple?: boolean };
  const name = `--${f}${def.arg ? ` ${def.arg}` : ''}${def.multiple ? ' ...' : ''}`;
  return `  ${name.padEnd(30)} ${def.help}`;
}

export function usage(command?: string): string {
  const c = command ? COMMANDS[command] : undefined;
  if (command && c) {
    const lines = [`usage: epp-e2e ${command} [options]`, '', c.summary, ''];
    lines.push(c.flags.length ? 'options:' : 'no options.', ...c.flags.map(flagUsage), flagUsage('help'));
    return lines.join('\n') + '\n';
  }
  return [
    'usage: epp-e2e <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(14)} ${cmd.summary}`),
    '',
    '`epp-e2e <command> --help` lists the options of a command.',
    '',
  ].join('\n');
}

/** Parses a command's own flags; any other flag is an error that lists the ones it takes. */
export function parseCommandFlags(command: string, args: string[]): Values {
  const c = COMMANDS[command];
  const options = Object.fromEntries(
    [...c.flags, 'help' as const].map((f) => {
      const { type, multiple, short } = FLAGS[f] as { type: 'string' | 'boolean'; multiple?: boolean; short?: string };
      return [f, { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) }];
    }),
  );
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']+)'/.exec(e.message)?.[1] ?? e.message;
      const takes = c.flags.length ? c.flags.map((f) => `--${f}`).join(', ') : 'no options';
      throw new OptionError(`${command} does not take ${given}; it takes: ${takes}`);
    }
    if (e.code?.startsWith('ERR_PARSE_ARGS')) throw new OptionError(`${command}: ${e.message}`);
    throw err;
  }
}

const progress = (m: string): void => {
  process.stderr.write(`[epp-e2e] ${m}\n`);
};

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

function rawOptions(values: Record<string, unknown>): RawOptions {
  return {
    topology: values.topology as string | undefined,
    models: values.models as string | undefined,
    eppVersion: (values['epp-version'] as string[] | undefined)?.at(-1),
    eppBinary: values['epp-binary'] as string | undefined,
    eppContract: values['epp-contract'] as string | undefined,
    eppPlugins: values['epp-plugins'] as string | undefined,
    jaegerRelease: (values['jaeger-version'] as string[] | undefined)?.at(-1),
    envoyVersion: (values['envoy-version'] as string[] | undefined)?.at(-1),
    eppSampler: values['epp-sampler'] as string | undefined,
    eppSamplerArg: values['epp-sampler-arg'] as string | undefined,
    faults: values.fault as string[] | undefined,
    clusterName: values['cluster-name'] as string | undefined,
    reuseCluster: values['reuse-cluster'] as boolean | undefined,
    keepCluster: values['keep-cluster'] as boolean | undefined,
    operatorVersion: (values['operator-version'] as string[] | undefined)?.at(-1),
    operatorMode: values['operator-mode'] as boolean | undefined,
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

/**
 * The topology of a command that starts something: `auto` (the default) probes Docker once and says what it chose
 * and why, on the command's first line.
 */
async function chosenTopology(command: string, values: Values): Promise<'local' | 'kind'> {
  const choice = await chooseTopology(values.topology as string | undefined, probeDocker);
  progress(`${command}: topology ${choice.topology} (${choice.reason})`);
  return choice.topology;
}

async function packages(quiet: boolean): Promise<number> {
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

async function doctor(values: Values): Promise<number> {
  const opts = resolveRunOptions({ ...rawOptions(values), topology: await chosenTopology('doctor', values) });
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

async function tools(values: Values): Promise<number> {
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

async function up(values: Values): Promise<number> {
  const opts = resolveRunOptions({ ...rawOptions(values), topology: await chosenTopology('up', values) });
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

async function runCommand(values: Values): Promise<number> {
  const scenarios = (values.scenario as string[] | undefined) ?? scenarioNames();
  jestArgs(scenarios); // validates the names before anything starts
  const opts = resolveRunOptions({ ...rawOptions(values), topology: await chosenTopology('run', values) });
  await ensureTopologyTools(opts, {
    // The contract scenario's negative control runs the other pinned EPP versions.
    allEppVersions: scenarios.includes('contract'),
    kvEventsEpp: scenarios.includes('kv-events'),
    kind: false,
    operatorPath: scenarios.includes('injection'),
  });
  return runScenarios(opts, scenarios);
}

async function compare(values: Values): Promise<number> {
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

async function upgradeCheck(values: Values): Promise<number> {
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

async function faults(values: Values): Promise<number> {
  // --fault picks which switches to try; each run carries one. Local unless told otherwise.
  const opts = resolveRunOptions({
    ...rawOptions(values),
    topology: (values.topology as string | undefined) ?? 'local',
    faults: [],
  });
  const wanted = (values.fault as string[] | undefined) ?? [];
  return faultsCommand(opts, wanted, { updateReadme: values['update-readme'] === true }, progress);
}

async function down(): Promise<number> {
  const runs = activeRuns(resolveRunOptions({}).runsRoot);
  if (runs.length === 0) process.stdout.write('no run is up\n');
  for (const run of runs) {
    const { killed } = await stopRun(run);
    process.stdout.write(`stopped ${run.runDir}${killed ? ` (killed ${killed} leftover process groups)` : ''}\n`);
  }
  return 0;
}

/** Exit codes: 0 ok, 1 a check or run failed, 2 the command line was wrong (the message says how). */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let code = 0;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      const about = command === 'help' ? rest[0] : undefined;
      if (about && !COMMANDS[about])
        throw new OptionError(`unknown command "${about}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
      process.stdout.write(usage(about));
      code = command ? 0 : 2;
    } else if (!COMMANDS[command]) {
      throw new OptionError(
        `unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')} (epp-e2e --help)`,
      );
    } else {
      const values = parseCommandFlags(command, rest);
      if (values.help) process.stdout.write(usage(command));
      else code = await COMMANDS[command].run(values);
    }
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`epp-e2e: ${e.message}\n`);
    code = e instanceof OptionError ? 2 : 1;
  }
  process.exit(code);
}
