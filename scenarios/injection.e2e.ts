// Operator injection and hybrid tracing: the OpenTelemetry Operator puts its Go eBPF sidecar into the EPP pod with
// the environment our Instrumentation asks for, and the eBPF gRPC server spans of the ext_proc stream reach Jaeger.
// On kind the operator and the sidecar image run in the cluster; on local (operator mode) the operator is a local
// manager process against the local kube-apiserver, and the harness runs the mutated pod as a kubelet would: the
// EPP with the `epp` container's env (set in the pod spec: the operator refuses inject-sdk beside inject-go on one
// container), our agent main with the sidecar's env.
// Hybrid tracing (the seed guide's central claim) is measured, not assumed: do the EPP's own gateway.request spans
// share the agent span's trace and descend from it? The EPP version's contract records the observed verdict
// (harness/traces/contracts), and the scenario fails when reality differs either way.
// Negative controls: the EPP pod without otel-go-auto-target-exe, put to the same operator as a server-side dry run,
// gets nothing; the resource-attribute check run on the mock vLLM's spans fails naming what is missing.
import { processThroughEpp } from '../harness/drivers/extproc/client';
import { newTraceparent, sendCompletion } from '../harness/drivers/openai';
import { scenarioOptions } from '../harness/config/run-options-file';
import { GO_TARGET_EXE } from '../harness/components/operator';
import { EPP_CONTAINER, EPP_WORKLOAD } from '../harness/components/operator-epp-pod';
import { ebpfSupport } from '../harness/runtime/ebpf-host';
import { checkGoInjection, type ExpectedGoInjection } from '../harness/scenario/go-injection-check';
import { AUTO_GRPC_SCOPE, AUTO_HTTP_SCOPE, PROCESS_METHOD, hybridVerdict } from '../harness/scenario/hybrid-verdict';
import {
  checkOperatorResource,
  OPERATOR_RESOURCE_KEYS,
  parseResourceAttributes,
} from '../harness/scenario/operator-resource-check';
import { applicability, notApplicable, useTopology, type ScenarioEnv } from '../harness/scenario/use-topology';
import { testEvidence } from '../harness/report/test-evidence';
import { KIND_NAMESPACE, KIND_PORTS, INSTRUMENTATION_NAME } from '../harness/topology/kind/manifests';
import { loadVersions, resolveEppVersion } from '../harness/tools/versions';
import { contractFor, findContract, renderTrace, waitForTrace, waitForTraces, type Span } from '../harness/traces';

const onLocal = scenarioOptions({}).topology === 'local';
/** Locally the operator path is a mode of the topology, asked for here (each file of this kind gets its own). */
const overrides = onLocal ? { models: 1, operatorMode: true } : { models: 1 };

function expected(s: ScenarioEnv): ExpectedGoInjection {
  const op = s.topology.endpoints.operator;
  const common = {
    targetExe: resolveEppVersion(loadVersions(), s.options.eppVersion).pin.imageBinary,
    appContainer: EPP_CONTAINER,
    serviceName: EPP_WORKLOAD,
    propagators: ['tracecontext', 'baggage'],
    sampler: 'parentbased_traceidratio',
    samplerArg: s.options.eppSamplerArg,
    resourceAttributes: s.options.eppResourceAttributes,
  };
  if (op) {
    const app = parseResourceAttributes(op.eppEnv.OTEL_RESOURCE_ATTRIBUTES);
    return {
      ...common,
      namespace: op.namespace,
      exporterEndpoint: op.otlp.http,
      // The EPP container sets these itself (its pod spec); the operator then leaves them out of the sidecar.
      droppedForApp: Object.keys(app).filter((k) => k !== 'k8s.pod.name'),
    };
  }
  return {
    ...common,
    namespace: KIND_NAMESPACE,
    exporterEndpoint: `http://jaeger.${KIND_NAMESPACE}.svc.cluster.local:${KIND_PORTS.jaegerOtlpHttp}`,
    workloadAttribute: 'k8s.deployment.name',
  };
}

/**
 * Waits until the agent has exported a span that started after `after` (its net/http client spans of the EPP's
 * scrapes of the model servers come every few hundred ms): from then on whatever it exported of an earlier call
 * is in Jaeger, and the agent is proven to export at all.
 */
async function agentFence(s: ScenarioEnv, after: Date): Promise<void> {
  const service = s.topology.endpoints.operator?.agent?.service ?? EPP_WORKLOAD;
  const afterNs = BigInt(after.getTime()) * 1000000n;
  await waitForTraces(
    s.jaeger,
    { service, operation: 'GET', since: after },
    (ts) =>
      ts.some((t) => t.spans.some((sp) => sp.scope.name === AUTO_HTTP_SCOPE && sp.startNs > afterNs)) ||
      `no agent span (scope ${AUTO_HTTP_SCOPE}) that started after ${after.toISOString()} yet`,
    { description: `an agent span started after ${after.toISOString()} (the agent exports)`, timeoutMs: 30000 },
  );
}

function agentSpan(spans: Span[]): Span | undefined {
  return spans.find((sp) => sp.name === PROCESS_METHOD && sp.scope.name === AUTO_GRPC_SCOPE);
}

const gate = applicability(['operator-injection'], overrides);
/** Only where this machine can run eBPF (root, BTF, bpf()); the operator checks run regardless. */
const ebpf = onLocal ? ebpfSupport() : { ok: true, reasons: [] as string[] };

if (!gate.applies) {
  notApplicable('operator injection', gate.reason);
} else {
  describe('operator injection', () => {
    const env = useTopology(overrides);

    it(`the EPP pod carries the Go sidecar and the environment of Instrumentation ${INSTRUMENTATION_NAME}`, async () => {
      const s = env();
      const ev = testEvidence();
      const pod = await s.topology.eppPod?.();
      if (!pod) throw new Error('this topology cannot show the EPP pod');
      ev.note(`EPP pod ${pod.metadata.name}: ${JSON.stringify(pod.spec)}`);
      expect(checkGoInjection(pod, expected(s))).toEqual([]);
    });

    // The same pod without the otel-go-auto-target-exe annotation, put to the same operator as a server-side dry
    // run: its webhook decides on it as on any pod, and nothing else has to start for it.
    it('negative control: the EPP pod without otel-go-auto-target-exe gets nothing, and the check says so', async () => {
      const s = env();
      if (!s.topology.admitEppPod) throw new Error('this topology cannot put a pod to the API server');
      const pod = await s.topology.admitEppPod({ [GO_TARGET_EXE]: null });
      testEvidence().note(`admitted without ${GO_TARGET_EXE}: ${JSON.stringify(pod.spec)}`);
      const problems = checkGoInjection(pod, expected(s));
      process.stderr.write(`[epp-e2e] injection negative control: ${problems.join('; ')}\n`);
      expect(problems).toEqual([
        expect.stringMatching(/^no opentelemetry-auto-instrumentation container in pod epp-admission-probe /),
      ]);
    });

    it(`resource attributes: the EPP's spans carry the operator's ${OPERATOR_RESOURCE_KEYS.join(', ')} and ours`, async () => {
      const s = env();
      const e = s.topology.endpoints;
      const ev = testEvidence();
      const since = new Date(Date.now() - 1000);
      const res = await sendCompletion(e.gateway, { model: e.models[0].model });
      expect(res.status).toBe(200);
      const [t] = await waitForTraces(
        s.jaeger,
        { service: e.services.epp, operation: 'gateway.request', since },
        (ts) => ts.length > 0 || 'no gateway.request yet',
        { description: `the EPP's gateway.request (service ${e.services.epp})` },
      );
      ev.trace({ label: 'EPP trace', raw: t, tree: renderTrace(t), jaegerLink: s.jaeger.uiLink(t.traceId) });
      const span = t.spans.find((sp) => sp.name === 'gateway.request')!;
      const namespace = e.operator?.namespace ?? KIND_NAMESPACE;
      // Locally: the same values the operator gave its sidecar for this pod (kind: presence and form only).
      const operatorAttrs = e.operator?.sidecarEnv
        ? parseResourceAttributes(e.operator.sidecarEnv.OTEL_RESOURCE_ATTRIBUTES)
        : undefined;
      expect(checkOperatorResource(span, namespace, s.options.eppResourceAttributes, operatorAttrs)).toEqual([]);
    });

    it("negative control: the resource check fails on the mock vLLM's spans, naming what they lack", async () => {
      const s = env();
      const e = s.topology.endpoints;
      const since = new Date(Date.now() - 1000);
      await sendCompletion(e.gateway, { model: e.models[0].model });
      const [t] = await waitForTraces(
        s.jaeger,
        { service: e.services.mockVllm, since },
        (ts) => ts.length > 0 || 'no mock vLLM trace yet',
        { description: 'a mock vLLM span' },
      );
      const span = t.spans.find((sp) => sp.service === e.services.mockVllm)!;
      const problems = checkOperatorResource(
        span,
        e.operator?.namespace ?? KIND_NAMESPACE,
        s.options.eppResourceAttributes,
      );
      process.stderr.write(`[epp-e2e] resource-attribute negative control:\n  ${problems.join('\n  ')}\n`);
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/has no resource attribute k8s\.pod\.name$/)]),
      );
    });

    if (!ebpf.ok) {
      it(`hybrid tracing › not applicable on this machine: ${ebpf.reasons.join('; ')}`, () => {
        process.stderr.write(`[epp-e2e] hybrid tracing: not applicable on this machine: ${ebpf.reasons.join('; ')}\n`);
      });
    } else if (!findContract(scenarioOptions({}).eppVersion)?.hybrid) {
      // A verdict is an observation: an EPP whose contract has none recorded (an --epp-binary run of an llm-d EPP,
      // or one without a contract) cannot be held to one, and says so instead of failing on a missing record.
      notApplicable(
        'hybrid tracing',
        `not made: the contract of EPP ${scenarioOptions({}).eppVersion} records no hybrid verdict (none observed yet)`,
      );
    } else {
      it('hybrid tracing: a client traceparent through Envoy; the verdict on the EPP joining the agent span is the contract', async () => {
        const s = env();
        const e = s.topology.endpoints;
        const contract = contractFor(e.eppVersion);
        const ev = testEvidence();
        const agent = e.operator?.agent;
        if (onLocal && !agent) throw new Error(`no agent runs: ${e.operator?.noAgentReason ?? 'unknown'}`);
        if (agent) {
          const off = agent.probesOff.length ? agent.probesOff.join('\n    ') : 'none';
          process.stderr.write(
            `[epp-e2e] hybrid tracing: agent loaded in ${agent.loadSeconds}s; probes turned off:\n    ${off}\n`,
          );
          ev.note(`agent probes turned off: ${off}`);
        }
        const since = new Date(Date.now() - 1000);
        const client = newTraceparent(true);
        const res = await sendCompletion(e.gateway, {
          model: e.models[0].model,
          headers: { traceparent: client.traceparent },
        });
        expect(res.status).toBe(200);
        // Envoy continues the client's trace and sends its egress span's context as ext_proc metadata; an agent
        // that instruments the EPP's gRPC server parents its server span on that.
        await agentFence(s, new Date());
        const trace = await waitForTrace(
          s.jaeger,
          client.traceId,
          (t) => t.spans.some((sp) => sp.service === e.services.envoy) || 'no Envoy span yet',
          { description: `the client's trace ${client.traceId}` },
        );
        ev.trace({
          label: 'client trace',
          raw: trace,
          tree: renderTrace(trace),
          jaegerLink: s.jaeger.uiLink(trace.traceId),
        });
        const span = agentSpan(trace.spans);
        let finding: { verdict: string; text: string };
        if (!span) {
          finding = {
            verdict: 'no-agent-span',
            text:
              `NO AGENT SPAN: the agent exported spans that started after the request, but no ${PROCESS_METHOD} ` +
              `server span is in the client's trace ${client.traceId}`,
          };
        } else {
          expect(span.attributes['rpc.system']).toBe('grpc');
          const own = await waitForTraces(
            s.jaeger,
            { service: e.services.epp, operation: 'gateway.request', since },
            (ts) => ts.length > 0 || 'no gateway.request yet',
            { description: "the EPP's own gateway.request" },
          );
          finding = hybridVerdict(
            trace,
            span,
            own.flatMap((t) => t.spans.filter((sp) => sp.name === 'gateway.request')),
          );
        }
        process.stderr.write(
          `[epp-e2e] hybrid tracing (${e.eppVersion}): ${finding.text}\n  contract: ${contract.hybrid?.withTraceparent ?? 'none'}\n${renderTrace(trace)}\n`,
        );
        ev.note(finding.text);
        if (onLocal) {
          if (!contract.hybrid) throw new Error(`the ${e.eppVersion} contract records no hybrid verdict`);
          expect({ verdict: finding.verdict, why: contract.hybrid.why }).toEqual({
            verdict: contract.hybrid.withTraceparent,
            why: contract.hybrid.why,
          });
        }
      });

      if (onLocal) {
        it('hybrid tracing: an ext_proc call without traceparent metadata; whether the agent exports its span is the contract', async () => {
          const s = env();
          const e = s.topology.endpoints;
          const contract = contractFor(e.eppVersion);
          const ev = testEvidence();
          const since = new Date();
          const body = { model: e.models[0].model, prompt: 'no context', max_tokens: 2 };
          const bare = await processThroughEpp(e.extProc, { body, upstream: 'forward' });
          expect(bare.upstreamResponse?.status).toBe(200);
          // Once the agent has exported a span that started after the call, what it exports of the call is in
          // Jaeger too (one exporter, in order): absence below is a finding, not a race.
          await agentFence(s, new Date());
          const all = await s.jaeger.findTraces({
            service: e.operator!.agent!.service,
            operation: PROCESS_METHOD,
            since,
          });
          const exported = all.filter((t) => agentSpan(t.spans));
          const observed = exported.length ? 'exported' : 'dropped';
          const text =
            observed === 'dropped'
              ? `DROPPED: no agent ${PROCESS_METHOD} span for the call without traceparent (later agent spans arrived)`
              : `EXPORTED: the agent's span for the call without traceparent is in trace(s) ${exported.map((t) => t.traceId).join(', ')}`;
          process.stderr.write(
            `[epp-e2e] hybrid tracing without traceparent (${e.eppVersion}): ${text}\n  contract: ${contract.hybrid?.withoutTraceparent}\n`,
          );
          ev.note(text);
          expect(observed).toBe(contract.hybrid?.withoutTraceparent);
        });
      }
    }
  });
}
