import { resolveRunOptions } from '../config/run-options';
import { loadVersions } from '../tools/versions';
import { eppExporterProblems, eppPodAnnotations, renderEppPod, renderLocalInstrumentation } from './operator-epp-pod';

const jaeger = { otlpGrpc: 'http://127.0.0.1:41317', otlpHttp: 'http://127.0.0.1:41318' };

describe('the EPP through the operator (local)', () => {
  it("renders our Instrumentation from kind's template: gRPC for the EPP's SDK, HTTP for the Go agent", () => {
    const opts = resolveRunOptions({ topology: 'local', eppSamplerArg: '0.5' });
    const inst = renderLocalInstrumentation(opts, { namespace: 'default', name: 'epp-go', ...jaeger });
    expect(inst.spec).toEqual({
      env: [
        { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
        { name: 'OTEL_BSP_SCHEDULE_DELAY', value: '100' },
      ],
      exporter: { endpoint: jaeger.otlpGrpc },
      propagators: ['tracecontext', 'baggage'],
      sampler: { type: 'parentbased_traceidratio', argument: '0.5' },
      resource: { resourceAttributes: opts.eppResourceAttributes },
      go: { env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: jaeger.otlpHttp }] },
    });
  });

  it("carries the seed guide's annotations, and no OTEL_* of its own", () => {
    const pin = loadVersions().epp.versions['gie-v1.5.0'];
    const pod = renderEppPod({
      namespace: 'default',
      epp: pin,
      args: ['--grpc-port=1'],
      instrumentation: 'epp-go',
      goTargetExe: true,
      ports: { grpc: 1, health: 2, metrics: 3 },
    });
    expect(pod.metadata.annotations).toEqual({
      'instrumentation.opentelemetry.io/inject-go': 'epp-go',
      'instrumentation.opentelemetry.io/otel-go-auto-target-exe': pin.imageBinary,
      'instrumentation.opentelemetry.io/inject-sdk': 'epp-go',
      'instrumentation.opentelemetry.io/container-names': 'epp',
    });
    expect(JSON.stringify(pod)).not.toContain('OTEL_');
    expect(eppPodAnnotations({ instrumentation: 'i', targetExe: undefined, injectSdk: false })).toEqual({
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
        'OTEL_TRACES_EXPORTER=otlp (set it in the Instrumentation spec.env)',
      `the EPP container exports to ${jaeger.otlpHttp}, an OTLP/HTTP endpoint, but the GIE EPP's exporter speaks ` +
        `OTLP/gRPC (${jaeger.otlpGrpc}): its spans would be refused. Set spec.exporter.endpoint to the gRPC port ` +
        'and give Go its HTTP endpoint in spec.go.env',
    ]);
    expect(eppExporterProblems({ OTEL_TRACES_EXPORTER: 'otlp' }, jaeger)).toEqual([
      'the EPP container has no OTEL_EXPORTER_OTLP_ENDPOINT (spec.exporter.endpoint is empty)',
    ]);
  });
});
