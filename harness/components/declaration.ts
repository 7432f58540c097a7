import type { RunOptions } from '../config/run-options';
import type { ManagedProcess } from '../runtime/managed-process';
import type { Probe } from '../runtime/readiness';
import type { OperatorModeTools } from '../tools/operator-mode-tools';
import type { LocalToolPaths } from '../tools/tools';
import type { Versions } from '../tools/versions';

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
  /** The template's values that come from the component: its args, env, config files, ports and image. */
  values: (config: C, ports: Ports<P>, run: KindRun) => Record<string, unknown>;
}

/** The tool binaries of a local run: what `wiring.binary` picks from. */
export interface RunTools extends LocalToolPaths {
  /** The KV-events EPP (versions.yaml kvEventsEpp), when the run asks for it. */
  kvEventsEpp?: { binary: string; pythonPath: string };
  /** Operator mode: the operator, its module, and (where this machine can run eBPF) the agent. */
  operatorMode?: OperatorModeTools;
}

interface RunBase {
  opts: RunOptions;
  /** versions.yaml with the run's choices applied (selectPins). */
  pins: Versions;
  /** Every component's named ports by component name: picked up front locally, the in-pod ones on kind. */
  ports: Readonly<Record<string, Ports<string>>>;
  /** Where the run's Kubernetes objects go (the InferencePool, the model-server Pods, the EPP Pod). */
  namespace: string;
  /** Where another component's servers are reached: 127.0.0.1 locally, its Service's DNS name on kind. */
  host(component: string): string;
  /** Where a component's servers bind: 127.0.0.1 locally, 0.0.0.0 in a pod. */
  listenAddress: string;
}

/** A local run: every component a process of this machine. */
export interface LocalRun extends RunBase {
  topology: 'local';
  tools: RunTools;
  runId: string;
  runDir: string;
  progress: (message: string) => void;
}

/** A kind run as the manifests are rendered: nothing runs yet, nothing is known but the options and pins. */
export interface KindRun extends RunBase {
  topology: 'kind';
}

/**
 * What one function of a declaration reads to serve both topologies: the resolved options and pins, every
 * component's ports, and how to address another component (`addressOf`).
 */
export type Run = LocalRun | KindRun;

/** The outputs of the started components a component waits for (`after`), by name: one per instance. */
export type Outputs = Readonly<Record<string, readonly unknown[]>>;

/**
 * How a component takes part in a run, in its own file: what it waits for, its instances, the binary that runs
 * them and the progress lines a user sees. The local launcher and the kind renderer read nothing else.
 */
export interface Wiring<C, Out = unknown> {
  /**
   * Components whose outputs (or readiness) it needs before it starts, by name: registry.test.ts checks they are
   * registered before it, with no cycle. Every other starts at once, beside it: all ports are known up front.
   */
  after: readonly string[];
  /**
   * Locally: components whose processes it needs running, not ready. Their entries in `up` are then their
   * `StartedInstance`s (config and pid), not their outputs. The eBPF agent attaches to the EPP this way, as the
   * operator's sidecar does in a pod, where both containers start together: its offset analysis overlaps the EPP's
   * own start-up.
   */
  afterStarted?: readonly string[];
  /**
   * Locally: the addresses its instances listen on when not 127.0.0.1 (the mocks' own loopback IPs); its ports
   * are then picked free on all of them. Every instance of a component has its ports.
   */
  localHosts?(opts: RunOptions): string[];
  /**
   * The configs of its instances in this run: none when the run does not have it. On kind a plain list, read
   * while the manifests are rendered (nothing runs then: `up` is empty). Locally it may first do the work its
   * config comes from: objects in the API server, files, a check that says why it cannot start.
   */
  instances(run: Run, up: Outputs): readonly C[] | Promise<readonly C[]>;
  /** Locally: the tool binary that runs an instance (none for a component node runs). */
  binary?(tools: RunTools, config: C): string | undefined;
  /** The progress line before its instances start; `starting <name>` without it, nothing when it says ''. */
  starting?(run: LocalRun, configs: readonly C[]): string;
  /** A progress line once every instance is ready. */
  ready?(outputs: readonly Out[]): string;
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
  /**
   * Working data it writes under the run's folder that says nothing once it has exited (etcd's data: 120 MB of
   * preallocated WAL per run), relative to the run's folder: removed by its stop, or when it exits, or by the reaper
   * or `down` after a harness that could not (runtime/run-scratch.ts). Its log stays.
   */
  scratch?: readonly string[];
  /**
   * What stopping it begins with: SIGTERM, its clean exit, unless said. SIGKILL for a process whose own shutdown
   * does nothing a run needs and costs time.
   */
  stopSignal?: 'SIGTERM' | 'SIGKILL';
  /** Work before the process starts that is not a config file: keys, objects it needs in the API server. */
  prepare?: (config: C, at: Placement<P>) => Promise<void> | void;
  /** In order; each must pass before the next is tried. */
  readiness: (config: C, at: Placement<P>) => ReadinessCheck[];
  /** Read once every readiness check passed. */
  outputs?: (config: C, ready: ReadyState<P>) => Out | Promise<Out>;
  manifest?: ManifestDeclaration<C, P>;
  /** Its part in a run: when it starts, its instances, its binary. */
  wiring: Wiring<C, Out>;
}

/**
 * A registered component, whatever its config: what the registry lists, the launcher starts and the renderer
 * renders. Its config type is erased (`never` where it is read, `unknown` where it is made).
 */
export type AnyComponent = Omit<ComponentDeclaration<never, string, unknown>, 'wiring'> & {
  wiring: Wiring<unknown, unknown>;
};

/** Another component's ports in this run, by its declaration. */
export function portsOf<P extends string>(run: Run, decl: { name: string; ports: readonly P[] }): Ports<P> {
  const ports = run.ports[decl.name];
  if (!ports) throw new Error(`no ports of ${decl.name} in this run`);
  return ports as Ports<P>;
}

/** host:port of another component's named port: 127.0.0.1 and its picked port locally, its Service on kind. */
export function addressOf<P extends string>(run: Run, decl: { name: string; ports: readonly P[] }, port: P): string {
  return `${run.host(decl.name)}:${portsOf(run, decl)[port]}`;
}

/** An instance whose process was started (readiness not awaited): what `afterStarted` hands on. */
export interface StartedInstance<C> {
  config: C;
  pid: number;
}

/** The started instances of a component this one starts after (`afterStarted`). */
export function startedOf<C>(
  up: Outputs,
  decl: { name: string; wiring: Wiring<C, never> },
): readonly StartedInstance<C>[] {
  return entryOf(up, decl.name) as readonly StartedInstance<C>[];
}

/** What `up` holds of a component this one starts after: its outputs, or its started instances. */
function entryOf(up: Outputs, name: string): readonly unknown[] {
  const entry = up[name];
  if (!entry) throw new Error(`${name} is not among the components this one starts after`);
  return entry;
}

/** The outputs of a component this one starts after, one per instance (none when the run does not have it). */
export function outputsOf<Out>(
  up: Outputs,
  decl: { name: string; outputs?: (config: never, ready: never) => Out | Promise<Out> },
): readonly Out[] {
  return entryOf(up, decl.name) as readonly Out[];
}

/** The process name of an instance: `instanceName`, or the part's name. */
export function instanceNameOf<C>(decl: { name: string; instanceName?: (config: C) => string }, config: C): string {
  return decl.instanceName?.(config) ?? decl.name;
}

/** Its manifest declaration; an error for a component that runs only as a local process. */
export function manifestOf<C, P extends string>(decl: {
  name: string;
  manifest?: ManifestDeclaration<C, P>;
}): ManifestDeclaration<C, P> {
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
