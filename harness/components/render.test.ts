import { SENTINEL_PATH } from '../traces/sentinel';
import { parse } from 'yaml';
import {
  eppArgs,
  eppEnv,
  renderInferencePool,
  renderKvEventsEppConfig,
  modelServerIp,
  renderModelServerPods,
} from './epp';
import { DEAD_OTLP_ENDPOINT } from './epp-faults';
import { renderEnvoyBootstrap } from './envoy';
import { etcdArgs } from './etcd';
import { renderJaegerConfig } from './jaeger';
import { kubeApiserverArgs, renderKubeconfig } from './kube-apiserver';
import { resourcePath } from './kube-client';
import { mockVllmArgs } from './mock-vllm';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('EPP objects and flags', () => {
  it('configures the KV-events EPP to score only by precise prefix-cache hits, with its index counters on', () => {
    const cfg = parse(
      renderKvEventsEppConfig({
        zmqEndpoint: 'tcp://127.0.0.1:5557',
        model: 'm',
        tokenizerFile: '/run/tokenizer.json',
        blockSize: 16,
        hashSeed: '',
      }),
    ) as any;
    expect(cfg.kind).toBe('EndpointPickerConfig');
    const scorer = cfg.plugins.find((p: any) => p.type === 'precise-prefix-cache-scorer');
    expect(scorer.parameters.kvEventsConfig).toEqual({ zmqEndpoint: 'tcp://127.0.0.1:5557', topicFilter: 'kv@' });
    expect(scorer.parameters.indexerConfig).toEqual({
      tokenProcessorConfig: { blockSize: 16, hashSeed: '' },
      kvBlockIndexConfig: { enableMetrics: true },
      tokenizersPoolConfig: { local: { modelTokenizerMap: { m: '/run/tokenizer.json' } } },
    });
    expect(cfg.schedulingProfiles[0].plugins.map((p: any) => p.pluginRef)).toEqual([
      'precise-prefix-cache-scorer',
      'max-score-picker',
    ]);
  });

  it('renders one InferencePool whose target ports are the model servers', () => {
    const pool = renderInferencePool({
      namespace: 'default',
      targetPorts: [8001, 8002],
      eppPort: 9002,
      modelServerApp: 'mock-vllm',
    }) as any;
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.spec.targetPorts).toEqual([{ number: 8001 }, { number: 8002 }]);
    expect(pool.spec.selector).toEqual({ matchLabels: { app: 'mock-vllm' } });
    expect(pool.spec.endpointPickerRef).toEqual({ name: 'epp', kind: 'Service', port: { number: 9002 } });
  });

  it('refuses a pool the API would reject, saying why', () => {
    expect(() => renderInferencePool({ namespace: 'd', targetPorts: [], eppPort: 1, modelServerApp: 'm' })).toThrow(
      'an InferencePool takes 1 to 8 target ports, got 0',
    );
    expect(() =>
      renderInferencePool({
        namespace: 'd',
        targetPorts: [1, 2, 3, 4, 5, 6, 7, 8, 9],
        eppPort: 1,
        modelServerApp: 'm',
      }),
    ).toThrow('got 9');
  });

  it('renders one ready Pod per model server, each at its own loopback IP, selected by the pool', () => {
    const pods = renderModelServerPods(
      [0, 1].map((i) => ({ name: `mock-vllm-${i}`, ip: modelServerIp(i) })),
      8001,
    ) as any[];
    expect(pods.map((p) => [p.pod.metadata.name, p.status.status.podIP])).toEqual([
      ['mock-vllm-0', '127.0.0.2'],
      ['mock-vllm-1', '127.0.0.3'],
    ]);
    const { pod, status } = pods[1];
    expect(pod.metadata.labels).toEqual({ app: 'mock-vllm' });
    expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 8001 }]);
    expect(status.status.podIPs).toEqual([{ ip: '127.0.0.3' }]);
    expect(status.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
  });

  it('starts the EPP insecure, without metrics auth, on the given ports', () => {
    const args = eppArgs({ grpc: 1, health: 2, metrics: 3 });
    expect(args).toEqual(
      expect.arrayContaining([
        '--pool-name=e2e-pool',
        '--grpc-port=1',
        '--grpc-health-port=2',
        '--metrics-port=3',
        '--secure-serving=false',
        '--metrics-endpoint-auth=false',
        '--tracing=true',
      ]),
    );
  });

  it('sets the OTEL_* environment the EPP reads', () => {
    const env = eppEnv('/k', {
      otlpEndpoint: 'http://127.0.0.1:4317',
      serviceName: 'llm-d-epp',
      sampler: 'parentbased_traceidratio',
      samplerArg: '0.5',
      resourceAttributes: { component: 'endpoint-picker', team: 'a' },
    });
    expect(env).toMatchObject({
      KUBECONFIG: '/k',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
      OTEL_SERVICE_NAME: 'llm-d-epp',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      OTEL_RESOURCE_ATTRIBUTES: 'component=endpoint-picker,team=a',
    });
    expect(Number(env.OTEL_BSP_SCHEDULE_DELAY)).toBeLessThan(1000);
  });

  it('fault wrong-exporter: the exporter points where nothing listens, everything else unchanged', () => {
    const tracing = {
      otlpEndpoint: 'http://127.0.0.1:4317',
      serviceName: 'llm-d-epp',
      sampler: 'parentbased_traceidratio',
      samplerArg: '1',
      resourceAttributes: {},
    };
    const faulty = eppEnv('/k', { ...tracing, faults: ['wrong-exporter'] });
    expect(faulty.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(DEAD_OTLP_ENDPOINT);
    expect({ ...faulty, OTEL_EXPORTER_OTLP_ENDPOINT: 'x' }).toEqual({
      ...eppEnv('/k', tracing),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'x',
    });
  });
});

describe('Envoy fault no-tracing', () => {
  it('renders the same bootstrap without the tracing block', () => {
    const c = { adminPort: 1, gatewayPort: 2, eppGrpcPort: 3, otlpGrpcPort: 4, serviceName: 'e', samplingPercent: 100 };
    const hcmOf = (y: string): any =>
      (parse(y) as any).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    expect(hcmOf(renderEnvoyBootstrap(c)).tracing).toBeDefined();
    const faulty = hcmOf(renderEnvoyBootstrap({ ...c, faults: ['no-tracing'] }));
    expect(faulty.tracing).toBeUndefined();
    expect({ ...faulty, tracing: 'x' }).toEqual({ ...hcmOf(renderEnvoyBootstrap(c)), tracing: 'x' });
  });
});

describe('Envoy bootstrap', () => {
  const boot = parse(
    renderEnvoyBootstrap({
      adminPort: 1,
      gatewayPort: 2,
      eppGrpcPort: 3,
      otlpGrpcPort: 4,
      serviceName: 'envoy-gateway',
      samplingPercent: 100,
    }),
  ) as any;
  const hcm = boot.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const extProc = hcm.http_filters[0];

  it('listens and administers on loopback only', () => {
    expect(boot.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 1 });
    expect(boot.static_resources.listeners[0].address.socket_address).toEqual({ address: '127.0.0.1', port_value: 2 });
  });

  it('sends requests to the EPP in FULL_DUPLEX_STREAMED mode with trailers, before the router', () => {
    expect(extProc.name).toBe('envoy.filters.http.ext_proc');
    expect(hcm.http_filters[1].name).toBe('envoy.filters.http.router');
    expect(extProc.typed_config.grpc_service.envoy_grpc.cluster_name).toBe('epp');
    expect(extProc.typed_config.processing_mode).toEqual({
      request_header_mode: 'SEND',
      response_header_mode: 'SEND',
      request_body_mode: 'FULL_DUPLEX_STREAMED',
      response_body_mode: 'FULL_DUPLEX_STREAMED',
      request_trailer_mode: 'SEND',
      response_trailer_mode: 'SEND',
    });
    expect(extProc.typed_config.message_timeout).not.toBe('0.2s');
  });

  it('routes by the header the EPP sets, through an ORIGINAL_DST cluster', () => {
    const cluster = boot.static_resources.clusters.find((c: any) => c.name === 'model_servers');
    expect(cluster).toMatchObject({
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      original_dst_lb_config: { use_http_header: true, http_header_name: 'x-gateway-destination-endpoint' },
    });
  });

  it('flushes its spans quickly instead of every 5 s', () => {
    expect(boot.layered_runtime.layers[0].static_layer).toEqual({
      'tracing.opentelemetry.flush_interval_ms': 100,
      'tracing.opentelemetry.min_flush_spans': 1,
    });
  });

  it("answers the flush horizon's sentinel itself: no ext_proc call, no model server, only its ingress span", () => {
    const routes = hcm.route_config.virtual_hosts[0].routes;
    expect(routes[0]).toEqual({
      match: { path: SENTINEL_PATH },
      direct_response: { status: 204 },
      typed_per_filter_config: {
        'envoy.filters.http.ext_proc': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute',
          disabled: true,
        },
      },
    });
    // Everything else goes through the EPP to the model servers, as before.
    expect(routes[1]).toEqual({ match: { prefix: '/' }, route: { cluster: 'model_servers', timeout: '60s' } });
  });

  it('traces with the OpenTelemetry tracer to the OTLP cluster', () => {
    expect(hcm.tracing.provider.name).toBe('envoy.tracers.opentelemetry');
    expect(hcm.tracing.provider.typed_config.service_name).toBe('envoy-gateway');
    expect(hcm.tracing.random_sampling).toEqual({ value: 100 });
    const otlp = boot.static_resources.clusters.find((c: any) => c.name === 'otlp');
    expect(otlp.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(4);
  });
});

describe('Jaeger, etcd and kube-apiserver', () => {
  it('binds every Jaeger listener to loopback and turns off self-tracing', () => {
    const cfg = parse(renderJaegerConfig({ otlpGrpc: 1, otlpHttp: 2, query: 3, queryGrpc: 4, health: 5 })) as any;
    const endpoints = [
      cfg.receivers.otlp.protocols.grpc.endpoint,
      cfg.receivers.otlp.protocols.http.endpoint,
      cfg.extensions.jaeger_query.http.endpoint,
      cfg.extensions.jaeger_query.grpc.endpoint,
      cfg.extensions.healthcheckv2.http.endpoint,
    ];
    expect(endpoints).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4', '127.0.0.1:5']);
    expect(cfg.extensions.jaeger_query.enable_tracing).toBe(false);
    expect(cfg.service.telemetry.metrics.level).toBe('none');
  });

  it('keeps etcd on loopback', () => {
    const args = etcdArgs('/d', { client: 1, peer: 2 });
    expect(args.filter((a) => a.includes('http://')).every((a) => a.includes('127.0.0.1'))).toBe(true);
  });

  it('starts kube-apiserver on loopback with token auth and without ServiceAccount admission', () => {
    const args = kubeApiserverArgs(
      { certDir: 'c', tokenFile: 't', saPublicKey: 'p', saPrivateKey: 'k' },
      'http://e',
      6443,
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '--bind-address=127.0.0.1',
        '--secure-port=6443',
        '--etcd-servers=http://e',
        '--token-auth-file=t',
        '--disable-admission-plugins=ServiceAccount',
        // the operator's privileged Go sidecar must be admitted (operator mode)
        '--allow-privileged=true',
      ]),
    );
    const kc = parse(renderKubeconfig('https://127.0.0.1:6443', 'PEM', 'tok')) as any;
    expect(kc.clusters[0].cluster['certificate-authority-data']).toBe(Buffer.from('PEM').toString('base64'));
    expect(kc.users[0].user.token).toBe('tok');
  });

  it('knows where the resources it writes live', () => {
    expect(resourcePath({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' } })).toBe(
      '/api/v1/namespaces/ns/pods/p',
    );
    expect(() => resourcePath({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })).toThrow(
      'no API path known for v1 Secret',
    );
  });

  it('passes the mock vLLM its faults and exporter', () => {
    const args = mockVllmArgs({
      name: 'm',
      port: 1,
      model: 'x',
      serviceName: 's',
      otlpEndpoint: 'http://o',
      faults: ['no-spans'],
    });
    expect(args).toEqual(
      expect.arrayContaining(['--port=1', '--model=x', '--otlp-endpoint=http://o', '--faults=no-spans']),
    );
  });
});
