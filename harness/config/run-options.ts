import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { identifyBuild, readBuildInfo } from '../components/epp-binary';
import { LLMD_PLUGIN_CONFIGS, type LlmdPluginConfig } from '../components/llmd-plugins';
import { parseFaultSpec } from '../faults/catalog';
import type { FaultComponent } from '../faults/types';
import { OptionError } from './option-error';
import { loadVersions, REPO_ROOT, resolveEppVersion, selectPins, type Versions } from '../tools/versions';

export const TOPOLOGIES = ['local', 'kind'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

export interface RunOptions {
  topology: TopologyName;
  models: number;
  /**
   * Name from versions.yaml, e.g. gie-v1.5.0; with an EPP binary, the version whose contract applies to it, or
   * CUSTOM_EPP when it has none (only the topology-level checks run then).
   */
  eppVersion: string;
  /** An EPP binary someone built, run on the local topology instead of the pinned build (--epp-binary). */
  eppBinary?: string;
  /** How eppVersion was chosen for eppBinary: `--epp-contract`, or what `go version -m` showed. */
  eppContractSource?: string;
  /** An llm-d-router plugin configuration instead of the EPP's default one (components/llmd-plugins.ts). */
  eppPlugins?: LlmdPluginConfig;
  /** Jaeger release and Envoy version: the pins of versions.yaml, or one of their alternatives (compare). */
  jaegerRelease: string;
  envoyVersion: string;
  /** OTEL_TRACES_SAMPLER for the EPP; the EPP only honours parentbased_traceidratio. */
  eppSampler: string;
  /** OTEL_TRACES_SAMPLER_ARG for the EPP. */
  eppSamplerArg: string;
  eppServiceName: string;
  eppResourceAttributes: Record<string, string>;
  /** Where the EPP exports; overridden to a dead address by the exporter-fault scenario. */
  eppOtlpEndpoint?: string;
  modelName: string;
  /** component:fault pairs (harness/faults/catalog.ts): the mock vLLM's, and Envoy's and the EPP's config ones. */
  faults: { component: FaultComponent; fault: string }[];
  runsRoot: string;
  /**
   * Run the KV-events EPP (versions.yaml kvEventsEpp) instead of the pinned one: local topology only, for the
   * kv-events scenario (it indexes vLLM KV events but emits no spans).
   */
  kvEventsEpp?: boolean;
  /**
   * Local topology: run the EPP through the OpenTelemetry Operator (a local manager process at
   * kind.operatorVersion) and its Go eBPF agent, as kind does: the EPP's tracing environment is what the
   * operator injects, not what the harness sets. Not the shared default: the agent's offset analysis of the
   * EPP adds 20-60 s to a start.
   */
  operatorMode?: boolean;
  /** The operator's options; operatorVersion and goTargetExe are also read by the local operator mode. */
  kind: KindOptions;
}

export interface KindOptions {
  clusterName: string;
  /** Use the cluster of that name if it exists (and leave it behind) instead of creating one. */
  reuseCluster: boolean;
  /** Do not delete a cluster this run created. */
  keepCluster: boolean;
  /** An OpenTelemetry Operator release, vX.Y.Z, or `latest`. */
  operatorVersion: string;
  /**
   * Annotate the EPP pod with its binary's path (otel-go-auto-target-exe). Without it the operator leaves the
   * pod alone: the injection scenario's negative control.
   */
  goTargetExe: boolean;
}

export { OptionError } from './option-error';

export interface RawOptions {
  topology?: string;
  models?: string | number;
  eppVersion?: string;
  eppBinary?: string;
  /** A versions.yaml EPP name whose contract applies to eppBinary, or `none`. */
  eppContract?: string;
  eppContractSource?: string;
  eppPlugins?: string;
  jaegerRelease?: string;
  envoyVersion?: string;
  eppSampler?: string;
  eppSamplerArg?: string;
  eppServiceName?: string;
  eppResourceAttributes?: string;
  eppOtlpEndpoint?: string;
  modelName?: string;
  faults?: string[];
  runsRoot?: string;
  clusterName?: string;
  reuseCluster?: boolean;
  keepCluster?: boolean;
  operatorVersion?: string;
  goTargetExe?: boolean;
  kvEventsEpp?: boolean;
  operatorMode?: boolean;
}

/** The eppVersion of an EPP binary that matches no contract. */
export const CUSTOM_EPP = 'custom';

/** What `go version -m` says a binary is; injectable for tests. */
export type BinaryIdentifier = (path: string, versions: Versions) => { eppVersion: string | null; detail: string };

const identifyBinary: BinaryIdentifier = (path, versions) => identifyBuild(readBuildInfo(path), versions);

/**
 * The EPP of a run with --epp-binary: the contract named by --epp-contract (or `none`), else the one its build
 * information names, else none. Returns the eppVersion (a versions.yaml name, or CUSTOM_EPP) and how it was chosen.
 */
function binaryEpp(
  binary: string,
  contract: string | undefined,
  source: string | undefined,
  versions: Versions,
  identify: BinaryIdentifier,
): { eppVersion: string; source: string } {
  if (!existsSync(binary) || !statSync(binary).isFile()) throw new OptionError(`--epp-binary ${binary}: no such file`);
  if (contract !== undefined) {
    if (contract === 'none') return { eppVersion: CUSTOM_EPP, source: source ?? '--epp-contract none' };
    if (!versions.epp.versions[contract]) {
      throw new OptionError(
        `unknown --epp-contract "${contract}"; choose one of: ${Object.keys(versions.epp.versions).join(', ')}, none`,
      );
    }
    return { eppVersion: contract, source: source ?? '--epp-contract' };
  }
  const id = identify(binary, versions);
  return { eppVersion: id.eppVersion ?? CUSTOM_EPP, source: `go version -m: ${id.detail}` };
}

function flag(value: boolean | undefined, envValue: string | undefined): boolean {
  return value ?? ['1', 'true', 'yes'].includes((envValue ?? '').toLowerCase());
}

function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new OptionError(`resource attribute "${pair}" is not key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * Every run option, from CLI flags first, then EPP_E2E_* environment variables, then defaults, validated once
 * so a bad value fails before anything starts, with a message that names the option and the valid choices.
 */
export function resolveRunOptions(
  raw: RawOptions,
  env: NodeJS.ProcessEnv = process.env,
  versions: Versions = loadVersions(),
  identify: BinaryIdentifier = identifyBinary,
): RunOptions {
  const topology = raw.topology ?? env.EPP_E2E_TOPOLOGY ?? 'local';
  if (!(TOPOLOGIES as readonly string[]).includes(topology)) {
    throw new OptionError(`unknown topology "${topology}"; choose one of: ${TOPOLOGIES.join(', ')}`);
  }
  const modelsText = String(raw.models ?? env.EPP_E2E_MODELS ?? '2');
  const models = Number(modelsText);
  if (!Number.isInteger(models) || models < 1 || models > 8) {
    throw new OptionError(
      `--models must be a whole number from 1 to 8 (an InferencePool has at most 8 target ports), got "${modelsText}"`,
    );
  }
  const binaryGiven = raw.eppBinary ?? (env.EPP_E2E_EPP_BINARY || undefined);
  const eppBinary = binaryGiven ? resolve(binaryGiven) : undefined;
  let eppVersion: string;
  let eppContractSource: string | undefined;
  if (eppBinary) {
    if (topology !== 'local') throw new OptionError('--epp-binary runs on the local topology (kind runs EPP images)');
    if (raw.eppVersion) {
      throw new OptionError(
        '--epp-version picks a pinned build; with --epp-binary, name its contract with --epp-contract',
      );
    }
    const contract = raw.eppContract ?? (env.EPP_E2E_EPP_CONTRACT || undefined);
    ({ eppVersion, source: eppContractSource } = binaryEpp(
      eppBinary,
      contract,
      raw.eppContractSource,
      versions,
      identify,
    ));
  } else {
    if (raw.eppContract) throw new OptionError('--epp-contract names the contract of an --epp-binary; none was given');
    try {
      const wanted = raw.eppVersion ?? (env.EPP_E2E_EPP_VERSION || undefined);
      eppVersion = resolveEppVersion(versions, wanted, topology as TopologyName).name;
    } catch (err) {
      throw new OptionError((err as Error).message);
    }
    if (topology === 'local' && !versions.epp.versions[eppVersion].build) {
      throw new OptionError(
        `EPP ${eppVersion} is image-only here (the Go module proxy does not serve it): on the local topology run ` +
          `a binary built from it with --epp-binary PATH --epp-contract ${eppVersion}`,
      );
    }
  }
  const jaegerRelease = raw.jaegerRelease ?? (env.EPP_E2E_JAEGER_VERSION || versions.jaeger.release);
  const envoyVersion = raw.envoyVersion ?? (env.EPP_E2E_ENVOY_VERSION || versions.envoy.version);
  try {
    selectPins(versions, { jaegerRelease, envoyVersion });
  } catch (err) {
    throw new OptionError((err as Error).message);
  }
  const eppSamplerArg = raw.eppSamplerArg ?? env.EPP_E2E_EPP_SAMPLER_ARG ?? '1';
  const ratio = Number(eppSamplerArg);
  if (eppSamplerArg.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new OptionError(`--epp-sampler-arg must be a ratio between 0 and 1, got "${eppSamplerArg}"`);
  }
  const faults = (raw.faults ?? (env.EPP_E2E_FAULTS ? env.EPP_E2E_FAULTS.split(',') : [])).map((f) => {
    try {
      return parseFaultSpec(f);
    } catch (err) {
      throw new OptionError((err as Error).message);
    }
  });
  // An empty EPP_E2E_OPERATOR_VERSION (a CI matrix's "pinned" entry) means the pin.
  const operatorVersion = raw.operatorVersion ?? (env.EPP_E2E_OPERATOR_VERSION || versions.kind.operator.default);
  if (operatorVersion !== 'latest' && !/^v\d+\.\d+\.\d+$/.test(operatorVersion)) {
    throw new OptionError(
      `--operator-version must be an OpenTelemetry Operator release like ${versions.kind.operator.default}, or latest; got "${operatorVersion}"`,
    );
  }
  const clusterName = raw.clusterName ?? env.EPP_E2E_KIND_CLUSTER ?? versions.kind.clusterName;
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(clusterName)) {
    throw new OptionError(`--cluster-name must be a DNS label of at most 32 characters, got "${clusterName}"`);
  }
  const eppPlugins = raw.eppPlugins ?? (env.EPP_E2E_EPP_PLUGINS || undefined);
  if (eppPlugins !== undefined) {
    if (!(LLMD_PLUGIN_CONFIGS as readonly string[]).includes(eppPlugins)) {
      throw new OptionError(`unknown --epp-plugins "${eppPlugins}"; choose one of: ${LLMD_PLUGIN_CONFIGS.join(', ')}`);
    }
    // Their plugin types exist only in llm-d-router (run here as a binary someone built).
    if (!eppBinary || !/^llm-d-router-/.test(eppVersion)) {
      throw new OptionError('--epp-plugins configures an llm-d-router EPP: give one with --epp-binary');
    }
  }
  if (raw.kvEventsEpp && topology !== 'local') {
    throw new OptionError('the KV-events EPP runs on the local topology only (the kind topology runs the EPP image)');
  }
  const operatorMode = flag(raw.operatorMode, env.EPP_E2E_OPERATOR_MODE);
  if (operatorMode && topology !== 'local') {
    throw new OptionError('operator mode is a local topology option (kind always runs the EPP through the operator)');
  }
  if (operatorMode && operatorVersion === 'latest') {
    throw new OptionError(
      'the local operator mode builds the operator from its Go module: --operator-version must be a release, not latest',
    );
  }
  if (operatorMode && raw.kvEventsEpp) {
    throw new OptionError('operator mode runs the GIE EPP; the KV-events EPP is not run through the operator');
  }
  return {
    topology: topology as TopologyName,
    models,
    eppVersion,
    ...(eppBinary ? { eppBinary, eppContractSource } : {}),
    ...(eppPlugins ? { eppPlugins: eppPlugins as LlmdPluginConfig } : {}),
    jaegerRelease,
    envoyVersion,
    eppSampler: raw.eppSampler ?? env.EPP_E2E_EPP_SAMPLER ?? 'parentbased_traceidratio',
    eppSamplerArg,
    eppServiceName: raw.eppServiceName ?? env.EPP_E2E_EPP_SERVICE_NAME ?? 'llm-d-epp',
    eppResourceAttributes: parseAttributes(
      raw.eppResourceAttributes ?? env.EPP_E2E_EPP_RESOURCE_ATTRIBUTES ?? 'component=endpoint-picker',
    ),
    eppOtlpEndpoint: raw.eppOtlpEndpoint ?? env.EPP_E2E_EPP_OTLP_ENDPOINT,
    modelName: raw.modelName ?? env.EPP_E2E_MODEL ?? 'mock-llama',
    faults,
    runsRoot: raw.runsRoot ?? env.EPP_E2E_RUNS_DIR ?? join(REPO_ROOT, '.runs'),
    ...(raw.kvEventsEpp ? { kvEventsEpp: true } : {}),
    ...(operatorMode ? { operatorMode: true } : {}),
    kind: {
      clusterName,
      reuseCluster: flag(raw.reuseCluster, env.EPP_E2E_REUSE_CLUSTER),
      keepCluster: flag(raw.keepCluster, env.EPP_E2E_KEEP_CLUSTER),
      operatorVersion,
      goTargetExe: raw.goTargetExe ?? !['0', 'false', 'no'].includes((env.EPP_E2E_GO_TARGET_EXE ?? '').toLowerCase()),
    },
  };
}
