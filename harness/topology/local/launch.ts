import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { instanceNameOf, type ComponentDeclaration, type Placement, type Ports } from '../../components/declaration';
import type { ManagedProcess } from '../../runtime/managed-process';
import { freePorts } from '../../runtime/ports';
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
}

/**
 * Starts one component as a process of the run from its declaration: its config files and preparation first,
 * then the process (log file `<name>.log` in the run's logs), then its readiness checks in order, each with its
 * deadline and stopped at once if the process dies. Returns once it is ready.
 */
export async function launchLocal<C, P extends string, Out>(
  ctx: RunContext,
  decl: ComponentDeclaration<C, P, Out>,
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
  const started = Date.now();
  const process = ctx.registry.start({
    name,
    command,
    args: [...leading, ...decl.args(config, ports, fileAt)],
    cwd: decl.cwd,
    env: env && { PATH: globalThis.process.env.PATH, HOME: globalThis.process.env.HOME, ...env },
    logFile: at.logFile,
  });
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
