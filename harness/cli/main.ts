import { parseArgs } from 'node:util';
import { OptionError } from '../config/option-error';
import { resolvedOptions, type Values } from './flag-values';

// The commands' code is loaded when one runs: `--help`, `frobnicate` and a wrong flag answer at once.
const commands = (): Promise<typeof import('./commands')> => import('./commands');

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
    run: async (values) => (await commands()).packages(Boolean(values.quiet)),
  },
  doctor: {
    summary: 'check prerequisites and pinned tools for a topology',
    flags: ['topology', 'epp-version', 'epp-binary', 'epp-contract'],
    run: async (values) => (await commands()).doctor(values),
  },
  tools: {
    summary: 'build/download the pinned tools into the cache',
    flags: ['topology', 'epp-version', 'all-epp-versions', 'kind'],
    run: async (values) => (await commands()).tools(values),
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
    // Options first: a wrong one is reported before the commands' code loads.
    run: async (values) => {
      const opts = await resolvedOptions('up', values);
      return (await commands()).up(opts, values.json === true);
    },
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
    run: async (values) => (await commands()).runCommand(values),
  },
  compare: {
    summary: 'trace-shape diff and scenario outcomes of two versions of one component (A, then B)',
    flags: ['epp-version', 'envoy-version', 'jaeger-version', 'scenario', 'topology', ...KIND_FLAGS],
    run: async (values) => (await commands()).compare(values),
  },
  'upgrade-check': {
    summary:
      'scenarios and trace shapes on operator --from, then --to (kind: upgraded in place; local: both as local ' +
      'processes, plus the diff of the mutated EPP pods), diff; exit 1 on a regression',
    flags: ['topology', 'from', 'to', 'scenario', 'cluster-name', 'reuse-cluster', 'keep-cluster'],
    run: async (values) => (await commands()).upgradeCheck(values),
  },
  faults: {
    summary:
      'every fault switch (or each --fault) on in turn against the scenarios that own it: caught or MISSED, ' +
      'reports/faults.{md,json}; exit 1 when one is missed',
    flags: ['topology', 'fault', 'update-readme'],
    run: async (values) => (await commands()).faults(values),
  },
  down: {
    summary: 'stop every run started by `up` from this checkout',
    flags: [],
    run: async () => (await commands()).down(),
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
