// Adding a component touches three files: its declaration, one line in the registry, its manifest template. This
// test adds one (declared here, its template in ./fixtures/) to a copy of the registry and shows that both
// topologies take it as it is: the local launcher starts it once what it names in `after` is ready, with the
// ports and outputs of the others, and the kind renderer renders its template; neither names it anywhere.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunOptions } from '../config/run-options';
import {
  addressOf,
  binaryCommand,
  outputsOf,
  type AnyComponent,
  type ComponentDeclaration,
  type RunTools,
} from '../components/declaration';
import { epp } from '../components/epp';
import { jaeger } from '../components/jaeger';
import { COMPONENTS } from '../components/registry';
import { createRunContext, type RunContext } from '../runtime/run-context';
import { loadVersions, selectPins } from '../tools/versions';
import { renderKindManifests } from './kind/manifests';
import { launchAll, type Launcher } from './local/launch';

interface GreeterConfig {
  /** Where it sends its greetings: the EPP's ext_proc server. */
  epp: string;
  /** The EPP's process, locally (a pod finds it by other means). */
  eppPid?: number;
  otlp: string;
}

const greeter: ComponentDeclaration<GreeterConfig, 'http', { url: string }> = {
  name: 'greeter',
  ports: ['http'],
  command: binaryCommand('greeter'),
  args: (c, ports) => [`--port=${ports.http}`, `--epp=${c.epp}`, `--otlp=${c.otlp}`],
  readiness: () => [],
  outputs: (_, { placement }) => ({ url: `http://127.0.0.1:${placement.ports.http}` }),
  manifest: {
    template: join(__dirname, 'fixtures', 'greeter.yaml'),
    ports: { http: 7000 },
    waitForDeployments: ['greeter'],
    values: (c, ports) => ({
      greeterImage: 'example.com/greeter:1',
      greeterArgs: [`--port=${ports.http}`, `--epp=${c.epp}`, `--otlp=${c.otlp}`],
    }),
  },
  wiring: {
    // The EPP's process must be up (its pid); Jaeger's address is known up front (its ports are picked first).
    after: ['epp'],
    instances: (run, up) => [
      {
        epp: addressOf(run, epp, 'grpc'),
        otlp: `http://${addressOf(run, jaeger, 'otlpGrpc')}`,
        ...(run.topology === 'local' ? { eppPid: outputsOf(up, epp)[0].pid } : {}),
      },
    ],
    binary: () => '/opt/greeter/bin/greeter',
    starting: (_, [c]) => `starting the greeter, greeting the EPP at ${c.epp}`,
  },
};

/** The registry with the new component: its one line. */
const WITH_GREETER: readonly AnyComponent[] = [...COMPONENTS, greeter];

const versions = loadVersions();

describe('a component added to the registry', () => {
  describe('local: the generic launcher starts it', () => {
    const opts = resolveRunOptions({ topology: 'local', models: 2 }, {}, versions);
    const tools: RunTools = {
      epp: '/bin/epp',
      jaeger: '/bin/jaeger',
      envoy: '/bin/envoy',
      kubeApiserver: '/bin/kube-apiserver',
      etcd: '/bin/etcd',
    };
    // The EPP's own start-up work (its CRDs and Pods in the API server) is not this test's: its instance is given.
    const registry = WITH_GREETER.map((c) =>
      c.name === epp.name
        ? { ...c, wiring: { ...c.wiring, instances: () => [{ tracing: {}, kubeconfig: '/kubeconfig' }] } }
        : c,
    );
    let ctx: RunContext;
    let events: string[];
    let progress: string[];
    let launched: Map<string, { config: unknown; ports: unknown; binary?: string }>;
    /** No process: each instance is "ready" a moment after it is launched, with outputs its users read. */
    const fakeLaunch =
      (fail?: string): Launcher =>
      async (_, decl, config, l) => {
        events.push(`start ${decl.name}`);
        launched.set(decl.name, { config, ports: l.ports, binary: l.binary });
        await new Promise((r) => setTimeout(r, 5));
        if (decl.name === fail) throw new Error(`${decl.name} did not get ready`);
        events.push(`ready ${decl.name}`);
        const outputs: Record<string, object> = {
          etcd: { url: 'http://127.0.0.1:1' },
          epp: { pid: 4242 },
          'mock-vllm': { name: 'mock-vllm-0', address: '127.0.0.2:1' },
          greeter: { url: 'http://127.0.0.1:2' },
        };
        return { name: decl.name, ports: l.ports, readyInMs: 5, ...outputs[decl.name] } as never;
      };

    beforeEach(() => {
      progress = [];
      events = [];
      launched = new Map();
      ctx = createRunContext(mkdtempSync(join(tmpdir(), 'adding-a-component-')), (m) => progress.push(m));
    });

    it('after what it names, with their outputs and its own picked ports, its binary and its progress line', async () => {
      const pins = selectPins(versions, opts);
      const { run, up } = await launchAll(ctx, registry, { opts, pins, tools, namespace: 'default' }, fakeLaunch());
      expect(events.indexOf('start greeter')).toBeGreaterThan(events.indexOf('ready epp'));
      const { config, ports, binary } = launched.get('greeter')!;
      expect(config).toEqual({
        epp: `127.0.0.1:${run.ports.epp.grpc}`,
        otlp: `http://127.0.0.1:${run.ports.jaeger.otlpGrpc}`,
        eppPid: 4242,
      });
      expect(ports).toEqual({ http: run.ports.greeter.http });
      expect(binary).toBe('/opt/greeter/bin/greeter');
      expect(progress).toContain(`starting the greeter, greeting the EPP at 127.0.0.1:${run.ports.epp.grpc}`);
      expect(outputsOf(up, greeter)).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:2' })]);
      // Every picked port its own, across components.
      const numbers = Object.entries(run.ports)
        .filter(([name]) => name !== 'mock-vllm')
        .flatMap(([, p]) => Object.values(p));
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    it('beside the components that wait on nothing, which start at once; the ones the run lacks never start', async () => {
      await launchAll(
        ctx,
        registry,
        { opts, pins: selectPins(versions, opts), tools, namespace: 'default' },
        fakeLaunch(),
      );
      const firstReady = events.findIndex((e) => e.startsWith('ready'));
      const startedAtOnce = events.slice(0, firstReady).sort();
      expect(startedAtOnce).toEqual([
        'start envoy',
        'start etcd',
        'start jaeger',
        'start mock-vllm',
        'start mock-vllm',
      ]);
      expect(events.indexOf('start kube-apiserver')).toBeGreaterThan(events.indexOf('ready etcd'));
      // Not operator mode: no operator, no agent.
      expect([...launched.keys()].sort()).toEqual(
        ['envoy', 'epp', 'etcd', 'greeter', 'jaeger', 'kube-apiserver', 'mock-vllm'].sort(),
      );
    });

    it('not when what it starts after fails: the start-up stops there and says so', async () => {
      await expect(
        launchAll(
          ctx,
          registry,
          { opts, pins: selectPins(versions, opts), tools, namespace: 'default' },
          fakeLaunch('epp'),
        ),
      ).rejects.toThrow('epp did not get ready');
      expect(launched.has('greeter')).toBe(false);
      expect(progress.at(-1)).toMatch(/^start-up failed; stopping what was started/);
    });
  });

  it('kind: the renderer renders its template after every other step, with in-cluster addresses', () => {
    const opts = resolveRunOptions({ topology: 'kind' }, {}, versions);
    const before = renderKindManifests(opts, versions);
    const steps = renderKindManifests(opts, versions, 'epp-e2e', WITH_GREETER);
    expect(steps.slice(0, -1)).toEqual(before);
    const [step] = steps.slice(-1);
    expect(step.name).toBe('greeter');
    expect(step.waitForDeployments).toEqual(['greeter']);
    expect(step.objects).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        metadata: { name: 'greeter', namespace: 'epp-e2e' },
        spec: expect.objectContaining({
          template: {
            metadata: { labels: { app: 'greeter' } },
            spec: {
              containers: [
                {
                  name: 'greeter',
                  image: 'example.com/greeter:1',
                  args: [
                    '--port=7000',
                    '--epp=epp.epp-e2e.svc.cluster.local:9002',
                    '--otlp=http://jaeger.epp-e2e.svc.cluster.local:4317',
                  ],
                  ports: [{ name: 'http', containerPort: 7000 }],
                },
              ],
            },
          },
        }),
      }),
    ]);
  });
});
