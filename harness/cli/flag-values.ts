import { OptionError, resolveRunOptions, type RawOptions, type RunOptions } from '../config/run-options';
import { chooseTopology, probeDocker } from './topology-choice';
import type { Variant } from '../compare/compare';

/** The CLI's progress lines, on stderr (stdout is for what a command prints as its result). */
export const progress = (m: string): void => {
  process.stderr.write(`[epp-e2e] ${m}\n`);
};

/** Parsed flags of one command, by flag name. */
export type Values = Record<string, unknown>;

/** The run options as the flags give them (unresolved: resolveRunOptions checks and completes them). */
export function rawOptions(values: Values): RawOptions {
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
export function compareRequest(values: Values): { subject: string; variants: [Variant, Variant] } {
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

/** A starting command's options, its topology chosen (and said) first. */
export async function resolvedOptions(command: string, values: Values): Promise<RunOptions> {
  return resolveRunOptions({ ...rawOptions(values), topology: await chosenTopology(command, values) });
}
