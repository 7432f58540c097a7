import { stringify } from 'yaml';
import { httpProbe } from '../runtime/readiness';
import { binaryCommand, portsOf, type ComponentDeclaration, type ConfigFile, type Ports } from './declaration';
import { epp } from './epp';
import { jaeger } from './jaeger';
import { ENVOY_SERVICE } from './service-names';

import { faultsOf } from '../faults/types';
import { SENTINEL_PATH } from '../traces/sentinel';

export const DESTINATION_HEADER = 'x-gateway-destination-endpoint';

export const EXT_PROC_CLUSTER = 'epp';
/** How often Envoy's OpenTelemetry tracer exports (its default is 5 s): scenarios and the flush horizon wait on it. */
export const ENVOY_FLUSH_INTERVAL_MS = 100;

export interface EnvoyConfig {
  adminPort: number;
  gatewayPort: number;
  eppGrpcPort: number;
  otlpGrpcPort: number;
  serviceName: string;
  /** Percent of requests Envoy itself samples (its own random_sampling); 100 = trace every request. */
  samplingPercent: number;
  /** Where the listener and admin bind: 127.0.0.1 locally, 0.0.0.0 in a kind pod. */
  listenAddress?: string;
  /** The EPP's and the OTLP collector's host: 127.0.0.1 locally, a Service DNS name on kind. */
  eppHost?: string;
  otlpHost?: string;
  /** Fault switches (ENVOY_FAULTS) to render in. */
  faults?: readonly string[];
}

function http2Cluster(name: string, host: string, port: number): Record<string, unknown> {
  return {
    name,
    // An IP is used as is; a Service name is resolved (and re-resolved when the Service's pods move).
    type: /^[\d.]+$/.test(host) ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '2s',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    load_assignment: {
      cluster_name: name,
      endpoints: [
        { lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] },
      ],
    },
  };
}

/**
 * The gateway as the inference gateways deploy it: the ext_proc filter sends every request to the EPP in
 * FULL_DUPLEX_STREAMED mode (the only body mode the EPP supports; it needs trailers SEND), and the
 * ORIGINAL_DST cluster routes to whatever endpoint the EPP put in x-gateway-destination-endpoint. Envoy's
 * OpenTelemetry tracer exports its own spans to Jaeger so the gateway shows up in the trace.
 */
export function renderEnvoyBootstrap(c: EnvoyConfig): string {
  const listen = c.listenAddress ?? '127.0.0.1';
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'gateway',
    generate_request_id: true,
    tracing: (c.faults ?? []).includes('no-tracing')
      ? undefined
      : {
          random_sampling: { value: c.samplingPercent },
          provider: {
            name: 'envoy.tracers.opentelemetry',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
              grpc_service: { envoy_grpc: { cluster_name: 'otlp' }, timeout: '2s' },
              service_name: c.serviceName,
            },
          },
        },
    route_config: {
      name: 'gateway',
      virtual_hosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: [
            // The flush horizon's sentinel (harness/traces/flush-horizon.ts): Envoy answers it itself, so it makes
            // an ingress span in the caller's trace and nothing else (no ext_proc call, no model-server request).
            {
              match: { path: SENTINEL_PATH },
              direct_response: { status: 204 },
              typed_per_filter_config: {
                'envoy.filters.http.ext_proc': {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute',
                  disabled: true,
                },
              },
            },
            { match: { prefix: '/' }, route: { cluster: 'model_servers', timeout: '60s' } },
          ],
        },
      ],
    },
    http_filters: [
      {
        name: 'envoy.filters.http.ext_proc',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
          grpc_service: { envoy_grpc: { cluster_name: EXT_PROC_CLUSTER }, timeout: '10s' },
          processing_mode: {
            request_header_mode: 'SEND',
            response_header_mode: 'SEND',
            request_body_mode: 'FULL_DUPLEX_STREAMED',
            response_body_mode: 'FULL_DUPLEX_STREAMED',
            request_trailer_mode: 'SEND',
            response_trailer_mode: 'SEND',
          },
          // The 200 ms default is shorter than a first scheduling cycle can take.
          message_timeout: '10s',
          failure_mode_allow: false,
        },
      },
      {
        name: 'envoy.filters.http.router',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
      },
    ],
  };
  return stringify({
    admin: { address: { socket_address: { address: listen, port_value: c.adminPort } } },
    // Envoy's OpenTelemetry tracer exports every 5 s (or per 5 spans) by default; scenarios wait on those spans.
    layered_runtime: {
      layers: [
        {
          name: 'epp-e2e-static',
          static_layer: {
            'tracing.opentelemetry.flush_interval_ms': ENVOY_FLUSH_INTERVAL_MS,
            'tracing.opentelemetry.min_flush_spans': 1,
          },
        },
      ],
    },
    static_resources: {
      listeners: [
        {
          name: 'gateway',
          address: { socket_address: { address: listen, port_value: c.gatewayPort } },
          filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }],
        },
      ],
      clusters: [
        http2Cluster(EXT_PROC_CLUSTER, c.eppHost ?? '127.0.0.1', c.eppGrpcPort),
        http2Cluster('otlp', c.otlpHost ?? '127.0.0.1', c.otlpGrpcPort),
        {
          name: 'model_servers',
          type: 'ORIGINAL_DST',
          lb_policy: 'CLUSTER_PROVIDED',
          connect_timeout: '2s',
          original_dst_lb_config: { use_http_header: true, http_header_name: DESTINATION_HEADER },
        },
      ],
    },
  });
}

/** Envoy's config without its own ports (those are its named ports). */
export type EnvoyLaunch = Omit<EnvoyConfig, 'adminPort' | 'gatewayPort'>;

const BOOTSTRAP = 'envoy.yaml';

function bootstrap(c: EnvoyLaunch, ports: Ports<'admin' | 'gateway'>): ConfigFile {
  return {
    path: BOOTSTRAP,
    content: renderEnvoyBootstrap({ ...c, adminPort: ports.admin, gatewayPort: ports.gateway }),
  };
}

export const envoy: ComponentDeclaration<EnvoyLaunch, 'admin' | 'gateway'> = {
  name: 'envoy',
  ports: ['admin', 'gateway'],
  command: binaryCommand('envoy'),
  configFiles: (c, ports) => [bootstrap(c, ports)],
  // A dynamic base id keeps two Envoys on one machine (two runs side by side) off each other's shared memory.
  args: (_, __, fileAt) => [
    '-c',
    fileAt(BOOTSTRAP),
    '--use-dynamic-base-id',
    '--concurrency',
    '1',
    '--log-level',
    'info',
  ],
  readiness: (_, { ports }) => [
    { what: 'Envoy admin /ready', probe: httpProbe(`http://127.0.0.1:${ports.admin}/ready`), timeoutMs: 30000 },
  ],
  manifest: {
    template: 'envoy.yaml',
    ports: { admin: 19000, gateway: 8081 },
    waitForDeployments: ['envoy'],
    values: (c, ports, run) => ({ envoyBootstrap: bootstrap(c, ports).content, envoyImage: run.pins.envoy.image }),
  },
  wiring: {
    // Only the EPP's and Jaeger's ports, known up front: its clusters are static and its readiness (admin /ready)
    // does not need them, so it starts beside them.
    after: [],
    instances: (run) => [
      {
        eppGrpcPort: portsOf(run, epp).grpc,
        otlpGrpcPort: portsOf(run, jaeger).otlpGrpc,
        serviceName: ENVOY_SERVICE,
        samplingPercent: 100,
        listenAddress: run.listenAddress,
        eppHost: run.host(epp.name),
        otlpHost: run.host(jaeger.name),
        faults: faultsOf(run.opts.faults, 'envoy'),
      },
    ],
    binary: (tools) => tools.envoy,
    starting: (run) => `starting Envoy ${run.pins.envoy.version}`,
  },
};
