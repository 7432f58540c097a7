import type { KubeObject } from './kube-client';
import { expandVars, resolveContainerEnv } from './pod-env';

const rt = { podIP: '127.0.0.1', hostIP: '127.0.0.2', nodeName: 'node-a' };

function pod(env: unknown[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'epp', namespace: 'default', labels: { app: 'epp' } },
    spec: { containers: [{ name: 'sidecar', env }] },
  };
}

describe('expandVars (kubelet $(VAR) rules)', () => {
  it('replaces earlier variables, keeps unknown references and unescapes $$', () => {
    const defined = new Map([['POD', 'epp']]);
    expect(expandVars('k8s.pod.name=$(POD),x=$(NOPE),y=$$(POD),z=$', defined)).toBe(
      'k8s.pod.name=epp,x=$(NOPE),y=$(POD),z=$',
    );
    expect(expandVars('open $(POD', defined)).toBe('open $(POD');
  });
});

describe('resolveContainerEnv', () => {
  it('resolves fieldRef and expands in order, as the operator expects of a kubelet', () => {
    const env = resolveContainerEnv(
      pod([
        { name: 'OTEL_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'OTEL_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        {
          name: 'OTEL_RESOURCE_ATTRIBUTES',
          value:
            'k8s.namespace.name=default,k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),' +
            'k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),service.instance.id=default.$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME).epp',
        },
      ]),
      'sidecar',
      rt,
    );
    expect(env).toEqual({
      OTEL_NODE_IP: '127.0.0.2',
      OTEL_POD_IP: '127.0.0.1',
      OTEL_RESOURCE_ATTRIBUTES_POD_NAME: 'epp',
      OTEL_RESOURCE_ATTRIBUTES_NODE_NAME: 'node-a',
      APP: 'epp',
      OTEL_RESOURCE_ATTRIBUTES:
        'k8s.namespace.name=default,k8s.node.name=node-a,k8s.pod.name=epp,service.instance.id=default.epp.epp',
    });
  });

  it('a reference to a later variable stays unexpanded (kubelet order)', () => {
    expect(
      resolveContainerEnv(
        pod([
          { name: 'A', value: '$(B)' },
          { name: 'B', value: 'b' },
        ]),
        'sidecar',
        rt,
      ).A,
    ).toBe('$(B)');
  });

  it('refuses what a local process cannot have, by name', () => {
    expect(() =>
      resolveContainerEnv(
        pod([{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]),
        'sidecar',
        rt,
      ),
    ).toThrow('container sidecar env TOKEN comes from secretKeyRef, which a local process cannot resolve');
    expect(() =>
      resolveContainerEnv(pod([{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } }]), 'sidecar', rt),
    ).toThrow('fieldRef status.phase is not one this harness resolves (pod epp)');
    expect(() => resolveContainerEnv(pod([]), 'epp', rt)).toThrow('pod epp has no container epp (containers: sidecar)');
  });
});
