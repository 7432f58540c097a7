import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunOptions } from '../../config/run-options';
import { startedOf, type AnyComponent, type ComponentDeclaration } from '../../components/declaration';
import { httpProbe, NotReadyError } from '../../runtime/readiness';
import { createRunContext, type RunContext } from '../../runtime/run-context';
import { freePortsFor, launchAll, launchLocal } from './launch';

/** A one-line HTTP server on node: answers its config file's greeting on its port `http`. */
const greeter: ComponentDeclaration<{ greeting: string; exitAtOnce?: boolean }, 'http', { url: string }> = {
  name: 'greeter',
  ports: ['http'],
  command: () => [process.execPath, '-e'],
  configFiles: (c) => [{ path: 'greeter/greeting.txt', content: c.greeting }],
  args: (c, ports, fileAt) => [
    c.exitAtOnce
      ? 'process.exit(3)'
      : `const t = require('fs').readFileSync(${JSON.stringify(fileAt('greeter/greeting.txt'))}, 'utf8');` +
        `require('http').createServer((q, s) => s.end(t)).listen(${ports.http}, '127.0.0.1')`,
  ],
  env: () => ({ GREETER: '1' }),
  readiness: (_, { ports }) => [
    { what: 'greeter answers', probe: httpProbe(`http://127.0.0.1:${ports.http}/`), timeoutMs: 10000 },
  ],
  outputs: (_, { placement }) => ({ url: `http://127.0.0.1:${placement.ports.http}/` }),
  wiring: { after: [], instances: () => [{ greeting: 'hello' }] },
};

// Every test gets a run of its own, and leaves nothing running.
let ctx: RunContext;
beforeEach(() => {
  ctx = createRunContext(mkdtempSync(join(tmpdir(), 'launch-test-')), () => undefined);
});
afterEach(() => ctx.registry.stopAll());

describe('launchLocal', () => {
  it('writes its config files, starts it, waits until ready and returns the one started shape with its outputs', async () => {
    const [ports] = await freePortsFor(greeter);
    const started = await launchLocal(ctx, greeter, { greeting: 'hello' }, { ports });
    expect(started).toMatchObject({ name: 'greeter', ports, url: `http://127.0.0.1:${ports.http}/` });
    expect(started.process.isRunning()).toBe(true);
    expect(readFileSync(join(ctx.runDir, 'greeter', 'greeting.txt'), 'utf8')).toBe('hello');
    expect(started.process.spec.logFile).toBe(join(ctx.logsDir, 'greeter.log'));
    // Given an env, the process gets only that, PATH and HOME.
    expect(Object.keys(started.process.spec.env ?? {}).sort()).toEqual(['GREETER', 'HOME', 'PATH']);
    await started.stop();
    expect(started.process.isRunning()).toBe(false);
  });

  it('says which wait failed, and that the process died, when it exits before it is ready', async () => {
    const [ports] = await freePortsFor(greeter);
    await expect(launchLocal(ctx, greeter, { greeting: 'x', exitAtOnce: true }, { ports })).rejects.toThrow(
      NotReadyError,
    );
    await expect(launchLocal(ctx, greeter, { greeting: 'x', exitAtOnce: true }, { ports })).rejects.toThrow(
      /greeter answers: greeter exited with code 3 before it was ready/,
    );
  });

  it('removes its scratch data once it has exited, and keeps its log', async () => {
    const [ports] = await freePortsFor(greeter);
    const started = await launchLocal(ctx, { ...greeter, scratch: ['greeter'] }, { greeting: 'hello' }, { ports });
    expect(existsSync(join(ctx.runDir, 'greeter', 'greeting.txt'))).toBe(true);
    await started.stop();
    expect(existsSync(join(ctx.runDir, 'greeter'))).toBe(false);
    expect(existsSync(started.process.spec.logFile)).toBe(true);
  });

  it('gives every named port of every component its own port', async () => {
    const [a, b] = await freePortsFor(greeter, { ports: ['one', 'two'] as const });
    expect(new Set([a.http, b.one, b.two]).size).toBe(3);
  });
});

describe('launchAll', () => {
  it("starts an `afterStarted` component once the other's process runs, before that one is ready, with its pid", async () => {
    const events: string[] = [];
    const followerFile = join(ctx.runDir, 'follower-started');
    // Ready only once the follower has started: the follower must not wait for its readiness.
    const leader: ComponentDeclaration<{ tag: string }, never, { pid: number }> = {
      name: 'leader',
      ports: [],
      command: () => ['sleep'],
      args: () => ['30'],
      readiness: () => [
        {
          what: 'the follower started',
          probe: async () => (existsSync(followerFile) ? true : 'not yet'),
          timeoutMs: 10000,
        },
      ],
      outputs: (_, { process }) => {
        events.push('leader ready');
        return { pid: process.pid! };
      },
      wiring: { after: [], instances: () => [{ tag: 'lead' }] },
    };
    const follower: ComponentDeclaration<{ leaderPid: number; leaderTag: string }> = {
      name: 'follower',
      ports: [],
      command: () => ['touch'],
      args: () => [followerFile],
      readiness: () => [],
      wiring: {
        after: [],
        afterStarted: ['leader'],
        instances: (_, up) => {
          const [l] = startedOf(up, leader);
          events.push(`follower starts, leader pid ${l.pid}, tag ${l.config.tag}`);
          return [{ leaderPid: l.pid, leaderTag: l.config.tag }];
        },
      },
    };
    const components = [leader, follower] as unknown as AnyComponent[];
    const run = { opts: resolveRunOptions({}), pins: {} as never, tools: {} as never, namespace: 'default' };
    await launchAll(ctx, components, run);
    const [leaderProc] = ctx.registry.processes;
    expect(events).toEqual([`follower starts, leader pid ${leaderProc.pid}, tag lead`, 'leader ready']);
  });

  it('uses a given component as it is: its outputs reach the components after it, and it gets no process or ports', async () => {
    const seen: string[] = [];
    const client: ComponentDeclaration<{ url: string }, 'http'> = {
      name: 'client',
      ports: ['http'],
      command: () => ['sleep'],
      args: () => ['30'],
      readiness: () => [],
      wiring: {
        after: ['greeter'],
        instances: (_, up) => {
          const [g] = up.greeter as { url: string }[];
          seen.push(g.url);
          return [{ url: g.url }];
        },
      },
    };
    const components = [greeter, client] as unknown as AnyComponent[];
    const base = { opts: resolveRunOptions({}), pins: {} as never, tools: {} as never, namespace: 'ns' };
    const given = { greeter: [{ url: 'http://127.0.0.1:1/elsewhere' }] };
    const { run, up } = await launchAll(ctx, components, { ...base, given });
    expect(seen).toEqual(['http://127.0.0.1:1/elsewhere']);
    expect(up.greeter).toBe(given.greeter);
    expect(ctx.registry.processes.map((p) => p.name)).toEqual(['client']);
    expect(Object.keys(run.ports)).toEqual(['client']);
    expect('given' in run).toBe(false);
  });

  it('refuses a component that needs the processes of a given one started beside its own', async () => {
    const follower: ComponentDeclaration<Record<string, never>> = {
      name: 'follower',
      ports: [],
      command: () => ['sleep'],
      args: () => ['30'],
      readiness: () => [],
      wiring: { after: [], afterStarted: ['greeter'], instances: () => [{}] },
    };
    const components = [greeter, follower] as unknown as AnyComponent[];
    const base = { opts: resolveRunOptions({}), pins: {} as never, tools: {} as never, namespace: 'ns' };
    await expect(launchAll(ctx, components, { ...base, given: { greeter: [{ url: 'x' }] } })).rejects.toThrow(
      'greeter is given to this run, not started by it: no processes',
    );
    expect(ctx.registry.processes).toEqual([]);
  });
});
