import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  instanceNameOf,
  type AnyComponent,
  type ComponentDeclaration,
  type LocalRun,
  type Outputs,
  type Placement,
  type Ports,
  type StartedInstance,
} from '../../components/declaration';
import { afterProblems } from '../../components/registry';
import type { ManagedProcess } from '../../runtime/managed-process';
import { freePortOnAll, freePorts } from '../../runtime/ports';
import { waitReady } from '../../runtime/readiness';
import type { RunContext } from '../../runtime/run-context';

/** Every launched component, whatever it is: its name and ports, its process, and a way to stop it. */
export interface StartedComponent<P extends string> {
  name: string;
  ports: Ports<P>;
  process: ManagedProcess;
  readyInMs: number;
  stop(): Promise<void>;
}

export interface LocalLaunch<P extends string> {
  ports: Ports<P>;
  /** The executable the tools step found (none for a component run by node itself). */
  binary?: string;
  /** Once aborted (another component of the run failed) no process is started any more. */
  signal?: AbortSignal;
  /** Called once its process is started, before the readiness waits. */
  onStarted?: (process: ManagedProcess) => void;
}

/** What launchLocal reads of a declaration: all but its wiring (a launch by hand needs none). */
export type LaunchableDeclaration<C, P extends string, Out> = Omit<ComponentDeclaration<C, P, Out>, 'wiring'>;

/** launchLocal's shape: what launchAll starts each instance with (a test gives a fake one). */
export type Launcher = <C, P extends string, Out>(
  ctx: RunContext,
  decl: LaunchableDeclaration<C, P, Out>,
  config: C,
  launch: LocalLaunch<P>,
) => Promise<StartedComponent<P> & Out>;

/**
 * Starts one component as a process of the run from its declaration: its config files and preparation first,
 * then the process (log file `<name>.log` in the run's logs), then its readiness checks in order, each with its
 * deadline and stopped at once if the process dies. Returns once it is ready.
 */
export async function launchLocal<C, P extends string, Out>(
  ctx: RunContext,
  decl: LaunchableDeclaration<C, P, Out>,
  config: C,
  launch: LocalLaunch<P>,
): Promise<StartedComponent<P> & Out> {
  const { ports } = launch;
  const name = instanceNameOf(decl, config);
  const at: Placement<P> = { ports, runId: ctx.runId, runDir: ctx.runDir, logFile: join(ctx.logsDir, `${name}.log`) };
  for (const file of decl.configFiles?.(config, ports) ?? []) {
    const path = join(ctx.runDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  await decl.prepare?.(config, at);
  const [command, ...leading] = decl.command(launch.binary);
  const fileAt = (path: string): string => join(ctx.runDir, path);
  const env = decl.env?.(config, ports, fileAt);
  launch.signal?.throwIfAborted();
  const started = Date.now();
  const process = ctx.registry.start({
    name,
    command,
    args: [...leading, ...decl.args(config, ports, fileAt)],
    cwd: decl.cwd,
    env: env && { PATH: globalThis.process.env.PATH, HOME: globalThis.process.env.HOME, ...env },
    logFile: at.logFile,
    stopSignal: decl.stopSignal,
    scratch: decl.scratch?.map((path) => join(ctx.runDir, path)),
  });
  launch.onStarted?.(process);
  for (const check of decl.readiness(config, at)) {
    await waitReady(check.what, check.probe, { timeoutMs: check.timeoutMs, intervalMs: check.intervalMs, process });
  }
  const readyInMs = Date.now() - started;
  const out = (await decl.outputs?.(config, { placement: at, process, readyInMs })) as Out;
  return { ...out, name, ports, process, readyInMs, stop: () => process.stop() };
}

/**
 * Free loopback ports for every named port of the given components, all distinct: picked in one go, so two
 * components of one run never get the same port.
 */
export async function freePortsFor<const D extends readonly { ports: readonly string[] }[]>(
  ...decls: D
): Promise<{ [K in keyof D]: Ports<D[K]['ports'][number]> }> {
  const numbers = await freePorts(decls.reduce((n, d) => n + d.ports.length, 0));
  let next = 0;
  return decls.map((d) => Object.fromEntries(d.ports.map((p) => [p, numbers[next++]]))) as {
    [K in keyof D]: Ports<D[K]['ports'][number]>;
  };
}

/**
 * Every named port of every component, picked up front (a component's users know its ports before it is
 * ready): free loopback ports, all distinct, in one go; a component whose instances listen on addresses of
 * their own (`localHosts`) gets ports free on all of those.
 */
export async function pickPorts(
  components: readonly AnyComponent[],
  opts: LocalRun['opts'],
): Promise<Record<string, Ports<string>>> {
  const onLoopback = components.filter((c) => !c.wiring.localHosts);
  const picked = await freePortsFor(...onLoopback);
  const ports: Record<string, Ports<string>> = Object.fromEntries(onLoopback.map((c, i) => [c.name, picked[i]]));
  for (const c of components.filter((x) => x.wiring.localHosts)) {
    const hosts = c.wiring.localHosts!(opts);
    const own: Record<string, number> = {};
    for (const p of c.ports) {
      let port = await freePortOnAll(hosts);
      while (Object.values(own).includes(port)) port = await freePortOnAll(hosts);
      own[p] = port;
    }
    ports[c.name] = own;
  }
  return ports;
}

/**
 * What a local run is before its ports are picked: its options, pins, tools and namespace, and the components it
 * uses without starting them (`given`: their outputs by name, e.g. the suite's shared kube-apiserver and etcd).
 */
export type LocalRunBase = Pick<LocalRun, 'opts' | 'pins' | 'tools' | 'namespace'> & {
  /** May still be coming: the components after a given one wait for it as for one started here. */
  given?: Readonly<Record<string, readonly unknown[] | Promise<readonly unknown[]>>>;
};

/**
 * Starts every component of the run from its declaration's wiring (but those `given`, whose outputs it uses as
 * they are): picks all their ports, then starts each as soon as the components its `after` names are ready (the
 * others at once, in parallel), with the configs its `instances` gives for this run (none: not in this run) and
 * the binary its `binary` picks, saying what it starts as it goes. Returns the run and every component's outputs by name. If one fails, nothing more is
 * started and everything already started is stopped before the error is thrown.
 */
export async function launchAll(
  ctx: RunContext,
  components: readonly AnyComponent[],
  base: LocalRunBase,
  launch: Launcher = launchLocal,
): Promise<{ run: LocalRun; up: Outputs }> {
  const problems = afterProblems(components);
  if (problems.length) throw new Error(`the components cannot be started in any order:\n- ${problems.join('\n- ')}`);
  const { given = {}, ...runBase } = base;
  const run: LocalRun = {
    ...runBase,
    topology: 'local',
    runId: ctx.runId,
    runDir: ctx.runDir,
    progress: ctx.progress,
    ports: await pickPorts(
      components.filter((c) => !given[c.name]),
      base.opts,
    ),
    host: () => '127.0.0.1',
    listenAddress: '127.0.0.1',
  };
  const aborted = new AbortController();
  const byName = new Map(components.map((c) => [c.name, c]));
  const starts = new Map<string, Promise<readonly unknown[]>>();
  // Per component: its instances once their processes are started (afterStarted), settled with its start.
  const startedInstances = new Map<string, Promise<readonly StartedInstance<unknown>[]>>();
  const instancesStarted = (c: AnyComponent): Promise<readonly StartedInstance<unknown>[]> => {
    void start(c);
    return startedInstances.get(c.name)!;
  };
  const start = (c: AnyComponent): Promise<readonly unknown[]> => {
    const known = starts.get(c.name);
    if (known) return known;
    const outputs = given[c.name];
    if (outputs) {
      // Given, not started here: ready already. Its processes are another run's: a component that needs them
      // started beside its own (afterStarted) cannot have them.
      const notOurs = Promise.reject(new Error(`${c.name} is given to this run, not started by it: no processes`));
      notOurs.catch(() => undefined);
      startedInstances.set(c.name, notOurs);
      starts.set(c.name, Promise.resolve(outputs));
      return starts.get(c.name)!;
    }
    let haveStarted!: (instances: readonly StartedInstance<unknown>[]) => void;
    let failedToStart!: (err: unknown) => void;
    const processesStarted = new Promise<readonly StartedInstance<unknown>[]>((resolve, reject) => {
      haveStarted = resolve;
      failedToStart = reject;
    });
    // A start that fails is reported by `start`'s own promise; this one must not be an unhandled rejection too.
    processesStarted.catch(() => undefined);
    startedInstances.set(c.name, processesStarted);
    const started = (async () => {
      const up = Object.fromEntries([
        ...(await Promise.all(c.wiring.after.map(async (name) => [name, await start(byName.get(name)!)] as const))),
        ...(await Promise.all(
          (c.wiring.afterStarted ?? []).map(async (name) => [name, await instancesStarted(byName.get(name)!)] as const),
        )),
      ]);
      aborted.signal.throwIfAborted();
      const configs = await c.wiring.instances(run, up);
      if (configs.length === 0) {
        haveStarted([]);
        return [];
      }
      const line = c.wiring.starting ? c.wiring.starting(run, configs) : `starting ${c.name}`;
      if (line) run.progress(line);
      const pids: (number | undefined)[] = configs.map(() => undefined);
      const tellStarted = (): void => {
        if (pids.every((p) => p !== undefined)) haveStarted(configs.map((config, i) => ({ config, pid: pids[i]! })));
      };
      const outputs = await Promise.all(
        configs.map((config, i) =>
          launch(ctx, c, config as never, {
            ports: run.ports[c.name],
            binary: c.wiring.binary?.(run.tools, config),
            signal: aborted.signal,
            onStarted: (process) => {
              pids[i] = process.pid;
              tellStarted();
            },
          }),
        ),
      );
      // A launcher that does not report its starts (a test's) is started by now.
      outputs.forEach((o, i) => (pids[i] ??= (o as { process?: ManagedProcess }).process?.pid ?? -1));
      tellStarted();
      const ready = c.wiring.ready?.(outputs);
      if (ready) run.progress(ready);
      return outputs;
    })();
    started.catch(failedToStart);
    starts.set(c.name, started);
    return started;
  };
  const all = components.map(start);
  try {
    const outputs = await Promise.all(all);
    return { run, up: Object.fromEntries(components.map((c, i) => [c.name, outputs[i]])) };
  } catch (err) {
    ctx.progress(`start-up failed; stopping what was started (logs kept in ${ctx.logsDir})`);
    aborted.abort();
    await ctx.registry.stopAll();
    // What was starting beside the failed one stops at once (its process is gone, or nothing more starts); a
    // process that got started meanwhile is stopped now.
    await Promise.allSettled(all);
    await ctx.registry.stopAll();
    throw err;
  }
}
