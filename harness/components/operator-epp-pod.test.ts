import { resolveRunOptions } from '../config/run-options';
import { loadVersions } from '../tools/versions';
import { GO_TARGET_EXE, INJECT_GO } from './operator';
import {
  admissionProbePod,
  eppContainerEnv,
  eppExporterProblems,
  eppPodAnnotations,
  renderEppPod,
  renderLocalInstrumentation,
} from './operator-epp-pod';
import { resolveContainerEnv } from './pod-env';

const jaeger = { otlpGrpc: 'http://127.0.0.1:41317', otlpHttp: 'http://127.0.0.1:41318' };

describe('the EPP through the operator (local)', () => {
  it("renders our Instrumentation from kind's template, with Jaeger's local OTLP/HTTP port for the Go agent", () => {
    const opts = resolveRunOptions({ topology: 'local', eppSamplerArg: '0.5' });
    const inst = renderLocalInstrumentation(opts, { namespace: 'default', name: 'epp-go', ...jaeger });
    expect(inst.spec).toEqual({
      exporter: { endpoint: jaeger.otlpHttp },
      propagators: ['tracecontext', 'baggage'],
      sampler: { type: 'parentbased_traceidratio', argument: '0.5' },
      resource: { resourceAttributes: opts.eppResourceAttributes },
      go: {},
    });
  });

  it("carries the seed guide's annotations and the EPP's own tracing env, with the pod identity the operator uses", () => {
    const pin = loadVersions().epp.versions['gie-v1.5.0'];
    const opts = resolveRunOptions({ topology: 'local' });
    const pod = renderEppPod({
      namespace: 'default',
      epp: pin,
      args: ['--grpc-port=1'],
      env: eppContainerEnv(opts, jaeger.otlpGrpc),
      instrumentation: 'epp-go',
      goTargetExe: true,
      ports: { grpc: 1, health: 2, metrics: 3 },
    });
    expect(pod.metadata.annotations).toEqual({
      'instrumentation.opentelemetry.io/inject-go': 'epp-go',
      'instrumentation.opentelemetry.io/otel-go-auto-target-exe': pin.imageBinary,
      'instrumentation.opentelemetry.io/container-names': 'epp',
    });
    const env = resolveContainerEnv(pod, 'epp', { podIP: '127.0.0.1', hostIP: '127.0.0.1', nodeName: 'n' });
    expect(env).toMatchObject({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc,
      OTEL_SERVICE_NAME: opts.eppServiceName,
      OTEL_RESOURCE_ATTRIBUTES:
        'k8s.container.name=epp,k8s.namespace.name=default,k8s.pod.name=epp,service.instance.id=default.epp.epp,' +
        'component=endpoint-picker',
    });
    expect(eppExporterProblems(env, jaeger)).toEqual([]);
    expect(eppPodAnnotations({ instrumentation: 'i', targetExe: undefined })).toEqual({
      'instrumentation.opentelemetry.io/inject-go': 'i',
      'instrumentation.opentelemetry.io/container-names': 'epp',
    });
  });

  it('accepts an EPP environment that exports OTLP/gRPC', () => {
    expect(
      eppExporterProblems({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc }, jaeger),
    ).toEqual([]);
  });

  it("names the user mistakes: no otlp exporter, the operator's HTTP endpoint for a gRPC exporter", () => {
    expect(eppExporterProblems({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp }, jaeger)).toEqual([
      'the EPP container has OTEL_TRACES_EXPORTER=(unset): the GIE EPP exports spans only with ' +
        'OTEL_TRACES_EXPORTER=otlp',
      `the EPP container exports to ${jaeger.otlpHttp}, an OTLP/HTTP endpoint, but the GIE EPP's exporter speaks ` +
        `OTLP/gRPC (${jaeger.otlpGrpc}): its spans would be refused. Point the EPP container at the gRPC port ` +
        '(the Instrumentation endpoint is for the Go agent, which speaks OTLP/HTTP)',
    ]);
    expect(eppExporterProblems({ OTEL_TRACES_EXPORTER: 'otlp' }, jaeger)).toEqual([
      'the EPP container has no OTEL_EXPORTER_OTLP_ENDPOINT: its exporter would try localhost:4317',
    ]);
  });

  it('asks about a variant of the written pod under its own name, leaving the written pod as it was', () => {
    const pin = loadVersions().epp.versions['gie-v1.5.0'];
    const written = renderEppPod({
      namespace: 'default',
      epp: pin,
      args: ['--grpc-port=9002'],
      env: [],
      instrumentation: 'epp-go',
      goTargetExe: true,
      ports: { grpc: 9002, health: 9003, metrics: 9090 },
    });
    const probe = admissionProbePod(written, 'default', { [GO_TARGET_EXE]: null, extra: 'x' });
    const annotations = probe.metadata.annotations as Record<string, string>;
    expect(probe.metadata.name).toBe('epp-admission-probe');
    expect(annotations[GO_TARGET_EXE]).toBeUndefined();
    expect(annotations).toMatchObject({ [INJECT_GO]: 'epp-go', extra: 'x' });
    expect(probe.spec).toEqual(written.spec);
    expect((written.metadata.annotations as Record<string, string>)[GO_TARGET_EXE]).toBe(pin.imageBinary);
  });
});
