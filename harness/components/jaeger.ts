import { stringify } from 'yaml';
import { httpProbe } from '../runtime/readiness';
import { addressOf, binaryCommand, type ComponentDeclaration, type Run } from './declaration';

export interface JaegerPorts {
  otlpGrpc: number;
  otlpHttp: number;
  query: number;
  queryGrpc: number;
  health: number;
}

/**
 * Jaeger v2 all-in-one with in-memory storage, every listener on 127.0.0.1 at the ports given. Its own
 * query tracing is off (it would otherwise add service `jaeger` traces to what scenarios count), and its
 * internal metrics server is off (it would take fixed port 8888, so two runs would collide).
 */
export function renderJaegerConfig(ports: JaegerPorts, host = '127.0.0.1'): string {
  const at = (port: number): string => `${host}:${port}`;
  return stringify({
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] },
      },
      telemetry: { resource: { 'service.name': 'jaeger' }, metrics: { level: 'none' }, logs: { level: 'info' } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: at(ports.health) } },
      jaeger_query: {
        storage: { traces: 'memstore' },
        enable_tracing: false,
        http: { endpoint: at(ports.query) },
        grpc: { endpoint: at(ports.queryGrpc) },
      },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 100000 } } } },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: at(ports.otlpGrpc) }, http: { endpoint: at(ports.otlpHttp) } } },
    },
    // A short batch timeout: scenarios wait on spans, and the default 200 ms adds up over many polls.
    processors: { batch: { timeout: '50ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  });
}

export interface JaegerConfig {
  /** Where its listeners bind: 127.0.0.1 locally, 0.0.0.0 in a pod. */
  listenAddress?: string;
}

const CONFIG_FILE = 'jaeger.yaml';

function configFile(c: JaegerConfig, ports: JaegerPorts): { path: string; content: string } {
  return { path: CONFIG_FILE, content: renderJaegerConfig(ports, c.listenAddress) };
}

export const jaeger: ComponentDeclaration<
  JaegerConfig,
  keyof JaegerPorts,
  { queryUrl: string; otlpGrpcEndpoint: string }
> = {
  name: 'jaeger',
  ports: ['otlpGrpc', 'otlpHttp', 'query', 'queryGrpc', 'health'],
  command: binaryCommand('jaeger'),
  configFiles: (c, ports) => [configFile(c, ports)],
  args: (_, __, fileAt) => ['--config', fileAt(CONFIG_FILE)],
  readiness: (_, { ports }) => [
    {
      what: 'Jaeger health (healthcheckv2 /status)',
      probe: httpProbe(`http://127.0.0.1:${ports.health}/status`),
      timeoutMs: 60000,
    },
    { what: 'Jaeger query API', probe: httpProbe(`http://127.0.0.1:${ports.query}/api/v3/services`), timeoutMs: 30000 },
  ],
  outputs: (_, { placement: { ports } }) => ({
    queryUrl: `http://127.0.0.1:${ports.query}`,
    otlpGrpcEndpoint: `http://127.0.0.1:${ports.otlpGrpc}`,
  }),
  manifest: {
    template: 'jaeger.yaml',
    ports: { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, queryGrpc: 16685, health: 13133 },
    waitForDeployments: ['jaeger'],
    values: (c, ports, run) => ({ jaegerConfig: configFile(c, ports).content, jaegerImage: run.pins.jaeger.image }),
  },
  wiring: {
    after: [],
    instances: (run) => [{ listenAddress: run.listenAddress }],
    binary: (tools) => tools.jaeger,
    starting: (run) => `starting Jaeger ${run.pins.jaeger.release}`,
  },
};

/**
 * Jaeger's OTLP receivers in a run, as URLs its exporters are given: 127.0.0.1 and the picked port locally, its
 * Service and in-pod port on kind. gRPC for the EPP and the mocks, HTTP for the Go agent (our Instrumentation).
 */
export function jaegerOtlp(run: Run): { otlpGrpc: string; otlpHttp: string } {
  return {
    otlpGrpc: `http://${addressOf(run, jaeger, 'otlpGrpc')}`,
    otlpHttp: `http://${addressOf(run, jaeger, 'otlpHttp')}`,
  };
}
