import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crdsForLocalControlPlane, operatorArgs, readOperatorCrds, renderWebhookConfigs } from './operator';

/** The shape of the operator module's config/webhook/manifests.yaml and config/crd/bases (abridged). */
function fakeOperatorModule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'operator-'));
  mkdirSync(join(dir, 'config', 'webhook'), { recursive: true });
  mkdirSync(join(dir, 'config', 'crd', 'bases'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'webhook', 'manifests.yaml'),
    `---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mutating-webhook-configuration
webhooks:
- admissionReviewVersions: [v1]
  clientConfig:
    service:
      name: webhook-service
      namespace: system
      path: /mutate-v1-pod
  failurePolicy: Ignore
  name: mpod.kb.io
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  sideEffects: None
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validating-webhook-configuration
webhooks:
- admissionReviewVersions: [v1]
  clientConfig:
    service: {name: webhook-service, namespace: system, path: /validate-opentelemetry-io-v1alpha1-instrumentation}
  failurePolicy: Fail
  name: vinstrumentationcreateupdate.kb.io
  sideEffects: None
`,
  );
  writeFileSync(
    join(dir, 'config', 'crd', 'bases', 'opentelemetry.io_instrumentations.yaml'),
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: instrumentations.opentelemetry.io\n',
  );
  return dir;
}

describe('the operator as a local process', () => {
  it("re-aims the release's webhooks at 127.0.0.1 with the run's CA and namespace, keeping everything else", () => {
    const [mutating, validating] = renderWebhookConfigs(fakeOperatorModule(), 9443, 'PEM', 'run-1', 'e2e-ns');
    expect(mutating).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'epp-e2e-otel-operator-mutating-e2e-ns', labels: { 'epp-otel-e2e/run': 'run-1' } },
      webhooks: [
        {
          admissionReviewVersions: ['v1'],
          clientConfig: {
            url: 'https://127.0.0.1:9443/mutate-v1-pod',
            caBundle: Buffer.from('PEM').toString('base64'),
          },
          failurePolicy: 'Ignore',
          name: 'mpod.kb.io',
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          sideEffects: 'None',
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'e2e-ns' } },
        },
      ],
    });
    expect(validating.metadata.name).toBe('epp-e2e-otel-operator-validating-e2e-ns');
    expect((validating.webhooks as { clientConfig: { url: string } }[])[0].clientConfig.url).toBe(
      'https://127.0.0.1:9443/validate-opentelemetry-io-v1alpha1-instrumentation',
    );
  });

  it('reads the CRDs of the module', () => {
    expect(readOperatorCrds(fakeOperatorModule()).map((c) => c.metadata.name)).toEqual([
      'instrumentations.opentelemetry.io',
    ]);
  });

  it('installs every CRD, with the schema as released only for the kinds a run creates (Instrumentation)', () => {
    const version = (schema: unknown) => ({
      name: 'v1',
      served: true,
      storage: true,
      schema,
      subresources: { status: {} },
    });
    const crd = (kind: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${kind.toLowerCase()}s.opentelemetry.io` },
      spec: { group: 'opentelemetry.io', names: { kind }, scope: 'Namespaced', versions: [version({ big: 1 })] },
    });
    const [instrumentation, collector] = crdsForLocalControlPlane([
      crd('Instrumentation'),
      crd('OpenTelemetryCollector'),
    ]);
    expect(instrumentation).toEqual(crd('Instrumentation'));
    expect(collector).toEqual({
      ...crd('OpenTelemetryCollector'),
      spec: {
        ...crd('OpenTelemetryCollector').spec,
        versions: [version({ openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } })],
      },
    });
  });

  it('runs with Go injection on, loopback metrics/health, no leader election and the release Go image', () => {
    expect(operatorArgs({ webhook: 1, metrics: 2, health: 3 }, 'img:v0.23.0')).toEqual([
      '--enable-go-instrumentation=true',
      '--webhook-port=1',
      '--metrics-addr=127.0.0.1:2',
      '--health-probe-addr=127.0.0.1:3',
      '--enable-leader-election=false',
      '--auto-instrumentation-go-image=img:v0.23.0',
    ]);
  });
});
