// Operator injection (kind only): the OpenTelemetry Operator puts its Go eBPF sidecar into the EPP pod with the
// environment our Instrumentation asks for, the sidecar's gRPC server spans for the ext_proc stream reach
// Jaeger, and the scenario reports whether they join the EPP's own trace (the EPP starts its own SDK, so whether
// they do is a real question; we state the answer rather than assume it).
// Negative control: without the otel-go-auto-target-exe annotation the operator leaves the pod alone, and the
// check must say so.
import { newTraceparent, sendCompletion } from '../harness/drivers/openai';
import { checkGoInjection, type ExpectedGoInjection } from '../harness/scenario/go-injection-check';
import { applicability, notApplicable, useTopology, type ScenarioEnv } from '../harness/scenario/use-topology';
import { testEvidence } from '../harness/report/test-evidence';
import { KIND_NAMESPACE, KIND_PORTS, INSTRUMENTATION_NAME } from '../harness/topology/kind/manifests';
import { loadVersions, resolveEppVersion } from '../harness/tools/versions';
import { renderTrace, waitForTraces } from '../harness/traces';

const PROCESS_METHOD = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';
const AUTO_GRPC_SCOPE = 'go.opentelemetry.io/auto/google.golang.org/grpc';
/** The operator names the service after the Deployment. */
const AUTO_SERVICE = 'epp';

function expected(s: ScenarioEnv): ExpectedGoInjection {
  return {
    targetExe: resolveEppVersion(loadVersions(), s.options.eppVersion).pin.imageBinary,
    appContainer: 'epp',
    namespace: KIND_NAMESPACE,
    serviceName: AUTO_SERVICE,
    exporterEndpoint: `http://jaeger.${KIND_NAMESPACE}.svc.cluster.local:${KIND_PORTS.jaegerOtlpHttp}`,
    propagators: ['tracecontext', 'baggage'],
    sampler: 'parentbased_traceidratio',
    samplerArg: s.options.eppSamplerArg,
    resourceAttributes: s.options.eppResourceAttributes,
  };
}

const gate = applicability(['operator-injection']);
if (!gate.applies) {
  notApplicable('operator injection', gate.reason);
} else {
  describe('operator injection', () => {
    const env = useTopology({ models: 1 });

    it(`the EPP pod carries the Go sidecar and the environment of Instrumentation ${INSTRUMENTATION_NAME}`, async () => {
      const s = env();
      const ev = testEvidence();
      const pod = await s.topology.eppPod?.();
      if (!pod) throw new Error('this topology cannot show the EPP pod');
      ev.note(`EPP pod ${pod.metadata.name}`);
      expect(checkGoInjection(pod, expected(s))).toEqual([]);
    });

    it('auto-instrumented ext_proc server spans reach Jaeger; the report says whether they join the EPP trace', async () => {
      const s = env();
      const e = s.topology.endpoints;
      const ev = testEvidence();
      const since = new Date(Date.now() - 1000);
      const client = newTraceparent(true);
      const res = await sendCompletion(e.gateway, {
        model: e.models[0].model,
        headers: { traceparent: client.traceparent },
      });
      expect(res.status).toBe(200);
      const [auto] = await waitForTraces(
        s.jaeger,
        { service: AUTO_SERVICE, operation: PROCESS_METHOD, since },
        (ts) => ts.length > 0 || `no ${PROCESS_METHOD} span from service ${AUTO_SERVICE} yet`,
        { description: `the eBPF gRPC server span ${PROCESS_METHOD}` },
      );
      ev.trace({
        label: 'eBPF gRPC server trace',
        raw: auto,
        tree: renderTrace(auto),
        jaegerLink: s.jaeger.uiLink(auto.traceId),
      });
      const span = auto.spans.find((sp) => sp.name === PROCESS_METHOD);
      expect(span).toMatchObject({ kind: 'server', scope: { name: AUTO_GRPC_SCOPE } });
      expect(span?.attributes['rpc.system']).toBe('grpc');
      const own = await s.jaeger.findTraces({ service: e.services.epp, operation: 'gateway.request', since });
      const joined = own.some((t) => t.traceId === auto.traceId);
      const verdict = joined
        ? `JOINED: the EPP's gateway.request is in the eBPF span's trace ${auto.traceId}`
        : `SEPARATE: the eBPF span's trace ${auto.traceId} holds no EPP gateway.request ` +
          `(EPP traces since the request: ${own.map((t) => t.traceId).join(', ') || 'none'})`;
      ev.note(verdict);
      process.stderr.write(`[epp-e2e] injection: ${verdict}\n${renderTrace(auto)}\n`);
      expect(own.length).toBeGreaterThan(0);
    });
  });

  describe('operator injection, negative control: no otel-go-auto-target-exe annotation', () => {
    const env = useTopology({ models: 1, goTargetExe: false });

    it('the check reports that nothing was injected', async () => {
      const s = env();
      const pod = await s.topology.eppPod?.();
      if (!pod) throw new Error('this topology cannot show the EPP pod');
      const problems = checkGoInjection(pod, expected(s));
      expect(problems).toEqual([expect.stringMatching(/^no opentelemetry-auto-instrumentation container in pod epp-/)]);
    });
  });
}
