import type { ManagedProcess } from '../runtime/managed-process';
import type { Probe } from '../runtime/readiness';

/** A component's listening ports by name (`grpc`, `health`...): free ones locally, fixed ones in a pod. */
export type Ports<P extends string> = Readonly<Record<P, number>>;

/** Where one instance runs: its ports, the run's folder for the files it reads, and its own log file. */
export interface Placement<P extends string> {
  ports: Ports<P>;
  runId: string;
  runDir: string;
  logFile: string;
}

/** Where the process finds one of its files (a path relative to the run's folder). */
export type FileLocator = (path: string) => string;

/** One named wait with its deadline: the message says what was waited for when it is not met. */
export interface ReadinessCheck {
  what: string;
  probe: Probe;
  timeoutMs: number;
  intervalMs?: number;
}

/** A file the component reads at start-up, written into the run's folder (a ConfigMap's content in a pod). */
export interface ConfigFile {
  /** Relative to the run's folder. */
  path: string;
  content: string;
}

/** How the kind topology deploys it: a template of fixtures/manifests/ filled partly from the declaration. */
export interface ManifestDeclaration<C, P extends string> {
  template: string;
  /** The ports inside its pod (a pod has a network namespace of its own, so these never collide). */
  ports: Ports<P>;
  /** Deployments (by name) that must be Available before the next install step. */
  waitForDeployments: string[];
  /** The template's values that come from the component: its args, env, config files and ports. */
  values: (config: C, ports: Ports<P>) => Record<string, unknown>;
}

/** What `outputs` reads its URLs, credentials and reports from: the ready instance. */
export interface ReadyState<P extends string> {
  placement: Placement<P>;
  process: ManagedProcess;
  /** From the spawn to the last readiness check passing. */
  readyInMs: number;
}

/**
 * Everything the harness knows of one part of the system under test, for both topologies: how it is named,
 * which ports it listens on, its command line, environment and config files from its config, the waits that
 * say it is ready, and its manifest template. `C` is its config, `P` the names of its ports, `Out` what a
 * started instance offers its users.
 */
export interface ComponentDeclaration<C, P extends string = never, Out = object> {
  /** The part's name: its kind install step and, unless `instanceName` says otherwise, its process. */
  name: string;
  /** One name per running instance (log file `<name>.log`, processes.json), e.g. `mock-vllm-0`. */
  instanceName?: (config: C) => string;
  ports: readonly P[];
  /** The executable and its own leading arguments; `binary` is what the tools step found for it. */
  command: (binary: string | undefined) => string[];
  /** Working directory of the process; the harness's own when unset. */
  cwd?: string;
  args: (config: C, ports: Ports<P>, fileAt: FileLocator) => string[];
  /**
   * Its whole environment (plus PATH and HOME) when given: what it reads is what it was given. Without it the
   * process inherits the harness's environment.
   */
  env?: (config: C, ports: Ports<P>, fileAt: FileLocator) => Record<string, string>;
  configFiles?: (config: C, ports: Ports<P>) => ConfigFile[];
  /** Work before the process starts that is not a config file: keys, objects it needs in the API server. */
  prepare?: (config: C, at: Placement<P>) => Promise<void> | void;
  /** In order; each must pass before the next is tried. */
  readiness: (config: C, at: Placement<P>) => ReadinessCheck[];
  /** Read once every readiness check passed. */
  outputs?: (config: C, ready: ReadyState<P>) => Out | Promise<Out>;
  manifest?: ManifestDeclaration<C, P>;
}

/** The process name of an instance: `instanceName`, or the part's name. */
export function instanceNameOf<C, P extends string, Out>(decl: ComponentDeclaration<C, P, Out>, config: C): string {
  return decl.instanceName?.(config) ?? decl.name;
}

/** Its manifest declaration; an error for a component that runs only as a local process. */
export function manifestOf<C, P extends string, Out>(decl: ComponentDeclaration<C, P, Out>): ManifestDeclaration<C, P> {
  if (!decl.manifest) throw new Error(`${decl.name} has no manifest: it runs only as a local process`);
  return decl.manifest;
}

/** A command of one executable: what most components run, the binary the tools step built or downloaded. */
export function binaryCommand(name: string): (binary: string | undefined) => string[] {
  return (binary) => {
    if (!binary) throw new Error(`${name}: no binary given to launch`);
    return [binary];
  };
}
