import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ManagedProcess } from '../runtime/managed-process';
import { httpProbe, waitReady } from '../runtime/readiness';
import type { RunContext } from '../runtime/run-context';

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

export interface StartedJaeger {
  process: ManagedProcess;
  ports: JaegerPorts;
  queryUrl: string;
  otlpGrpcEndpoint: string;
}

export async function startJaeger(ctx: RunContext, binary: string, ports: JaegerPorts): Promise<StartedJaeger> {
  const config = join(ctx.runDir, 'jaeger.yaml');
  writeFileSync(config, renderJaegerConfig(ports));
  const process = ctx.registry.start({
    name: 'jaeger',
    command: binary,
    args: ['--config', config],
    logFile: join(ctx.logsDir, 'jaeger.log'),
  });
  await waitReady('Jaeger health (healthcheckv2 /status)', httpProbe(`http://127.0.0.1:${ports.health}/status`), {
    timeoutMs: 60000,
    process,
  });
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  await waitReady('Jaeger query API', httpProbe(`${queryUrl}/api/v3/services`), { timeoutMs: 30000, process });
  return { process, ports, queryUrl, otlpGrpcEndpoint: `http://127.0.0.1:${ports.otlpGrpc}` };
}
