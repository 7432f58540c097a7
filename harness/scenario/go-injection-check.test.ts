import type { KubeObject } from '../components/kube-client';
import { GO_SIDECAR, checkGoInjection, type ExpectedGoInjection } from './go-injection-check';

const want: ExpectedGoInjection = {
  targetExe: '/epp',
  appContainer: 'epp',
  namespace: 'epp-e2e',
  serviceName: 'epp',
  exporterEndpoint: 'http://jaeger.epp-e2e.svc.cluster.local:4318',
  propagators: ['tracecontext', 'baggage'],
  sampler: 'parentbased_traceidratio',
  samplerArg: '1',
  resourceAttributes: { component: 'endpoint-picker' },
  workloadAttribute: 'k8s.deployment.name',
};

/** An injected EPP pod as the operator writes it (env order and names from its TestInjectGo expectations). */
function injectedPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'epp-5d8f-abcde', namespace: 'epp-e2e' },
    spec: {
      shareProcessNamespace: true,
      volumes: [{ name: 'kernel-debug', hostPath: { path: '/sys/kernel/debug' } }],
      containers: [
        { name: 'epp', image: 'registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0' },
        {
          name: GO_SIDECAR,
          image: 'ghcr.io/open-telemetry/opentelemetry-go-instrumentation/autoinstrumentation-go:v0.23.0',
          securityContext: { privileged: true, runAsUser: 0 },
          volumeMounts: [{ name: 'kernel-debug', mountPath: '/sys/kernel/debug' }],
          env: [
            { name: 'OTEL_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
            { name: 'OTEL_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'OTEL_GO_AUTO_TARGET_EXE', value: '/epp' },
            { name: 'OTEL_SERVICE_NAME', value: 'epp' },
            { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://jaeger.epp-e2e.svc.cluster.local:4318' },
            { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'OTEL_PROPAGATORS', value: 'tracecontext,baggage' },
            { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
            { name: 'OTEL_TRACES_SAMPLER_ARG', value: '1' },
            {
              name: 'OTEL_RESOURCE_ATTRIBUTES',
              value:
                'component=endpoint-picker,k8s.container.name=epp,k8s.deployment.name=epp,k8s.namespace.name=epp-e2e,' +
                'k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),' +
                'k8s.replicaset.name=epp-5d8f,service.instance.id=epp-e2e.$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME).epp,service.version=v1.5.0',
            },
          ],
        },
      ],
    },
  };
}

describe('Go injection check', () => {
  it('passes on a pod injected as the operator does it', () => {
    expect(checkGoInjection(injectedPod(), want)).toEqual([]);
  });

  it('says plainly when nothing was injected, and what could cause it', () => {
    const pod = injectedPod() as KubeObject & { spec: { containers: unknown[] } };
    pod.spec.containers = pod.spec.containers.slice(0, 1);
    expect(checkGoInjection(pod, want)).toEqual([
      `no ${GO_SIDECAR} container in pod epp-5d8f-abcde (containers: epp): the operator did not inject Go (Go support off, ` +
        'no Instrumentation in the namespace, or the pod was created before the webhook served; see the operator log and the pod events)',
    ]);
  });

  it('lists every deviation at once: sampler, propagators, shared PID namespace, resource attributes', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const pod = injectedPod() as any;
    pod.spec.shareProcessNamespace = false;
    const env = pod.spec.containers[1].env;
    env.find((e: { name: string }) => e.name === 'OTEL_TRACES_SAMPLER_ARG').value = '0.1';
    env.splice(
      env.findIndex((e: { name: string }) => e.name === 'OTEL_PROPAGATORS'),
      1,
    );
    env.at(-1).value = 'k8s.container.name=opentelemetry-auto-instrumentation,k8s.namespace.name=epp-e2e';
    expect(checkGoInjection(pod, want)).toEqual([
      'spec.shareProcessNamespace is not true (the sidecar cannot see the EPP process)',
      `${GO_SIDECAR} env OTEL_PROPAGATORS missing (want tracecontext,baggage)`,
      `${GO_SIDECAR} env OTEL_TRACES_SAMPLER_ARG=0.1, want 1`,
      'OTEL_RESOURCE_ATTRIBUTES k8s.container.name=opentelemetry-auto-instrumentation, want epp',
      'OTEL_RESOURCE_ATTRIBUTES k8s.pod.name=(missing), want $(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
      'OTEL_RESOURCE_ATTRIBUTES component=(missing), want endpoint-picker',
      'OTEL_RESOURCE_ATTRIBUTES has no k8s.deployment.name',
    ]);
  });

  it('pins the keys the operator leaves out of the sidecar because the app container sets them', () => {
    const pod = injectedPod();
    const dropping = { ...want, droppedForApp: ['k8s.container.name', 'component'] };
    // the fixture pod has them: that is reported as an upstream change
    expect(checkGoInjection(pod, dropping)).toEqual([
      'OTEL_RESOURCE_ATTRIBUTES has k8s.container.name=epp, which the operator was observed to leave out because ' +
        'the app container sets it: upstream changed, update the expectation',
      'OTEL_RESOURCE_ATTRIBUTES has component=endpoint-picker, which the operator was observed to leave out because ' +
        'the app container sets it: upstream changed, update the expectation',
    ]);
  });
});
