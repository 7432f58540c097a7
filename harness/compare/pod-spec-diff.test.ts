import type { KubeObject } from '../components/kube-client';
import { diffPodSpecs, formatPodSpecDiff } from './pod-spec-diff';

function pod(image: string | undefined, env: Record<string, string>, privileged = true): KubeObject {
  const containers: unknown[] = [{ name: 'epp', env: [{ name: 'OTEL_SERVICE_NAME', value: 'epp' }] }];
  if (image) {
    containers.push({
      name: 'opentelemetry-auto-instrumentation',
      image,
      securityContext: privileged ? { privileged: true, runAsUser: 0 } : { runAsUser: 1000 },
      env: Object.entries(env).map(([name, value]) => ({ name, value })),
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'epp' },
    spec: { shareProcessNamespace: !!image, containers },
  };
}

describe('pod-spec diff between two operator releases', () => {
  it('reports a new image and changed env, and flags a dropped env var as a regression', () => {
    const a = pod('img:v0.22.0', { OTEL_PROPAGATORS: 'tracecontext,baggage', OTEL_SERVICE_NAME: 'epp' });
    const b = pod('img:v0.23.0', { OTEL_SERVICE_NAME: 'epp-x' });
    const changes = diffPodSpecs(a, b);
    expect(changes).toEqual([
      { what: 'opentelemetry-auto-instrumentation image', from: 'img:v0.22.0', to: 'img:v0.23.0', regression: false },
      {
        what: 'opentelemetry-auto-instrumentation env OTEL_PROPAGATORS',
        from: 'tracecontext,baggage',
        to: '(none)',
        regression: true,
      },
      { what: 'opentelemetry-auto-instrumentation env OTEL_SERVICE_NAME', from: 'epp', to: 'epp-x', regression: false },
    ]);
    expect(formatPodSpecDiff('v1', 'v2', changes)).toContain(
      'REGRESSION opentelemetry-auto-instrumentation env OTEL_PROPAGATORS: tracecontext,baggage -> (none)',
    );
  });

  it('a lost sidecar and a lost privilege are regressions', () => {
    expect(
      diffPodSpecs(pod('img', {}), pod(undefined, {}))
        .filter((c) => c.regression)
        .map((c) => c.what),
    ).toEqual(['opentelemetry-auto-instrumentation container', 'spec.shareProcessNamespace']);
    expect(diffPodSpecs(pod('img', {}), pod('img', {}, false))).toEqual([
      expect.objectContaining({ what: 'opentelemetry-auto-instrumentation securityContext', regression: true }),
    ]);
    expect(formatPodSpecDiff('v1', 'v2', [])).toBe('mutated EPP pod: identical under operator v1 and v2');
  });
});
