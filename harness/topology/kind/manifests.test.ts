import { resolveRunOptions } from '../../config/run-options';
import type { KubeObject } from '../../components/kube-client';
import { loadVersions } from '../../tools/versions';
import { renderTemplateText } from '../../components/templates';
import { INSTRUMENTATION_NAME, KIND_NAMESPACE, renderKindManifests } from './manifests';
import { loadSchemaSet, validateObject } from './schema-validate';

const versions = loadVersions();
const schemas = loadSchemaSet();
const opts = resolveRunOptions({ topology: 'kind', models: 3, eppSamplerArg: '0.25' }, {}, versions);
const steps = renderKindManifests(opts, versions);
const all = steps.flatMap((s) => s.objects);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const find = (kind: string, name: string): any => {
  const o = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} rendered`);
  return o;
};

describe('kind manifests', () => {
  it('validate against the real schemas: Kubernetes v1.34 OpenAPI and the CRDs of the pinned EPP and operator', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.flatMap((o) => validateObject(o, schemas))).toEqual([]);
  });

  it('install in an order that works: namespace first, the Instrumentation before the EPP pod, Envoy last', () => {
    expect(steps.map((s) => s.name)).toEqual([
      'namespace',
      'jaeger',
      'instrumentation',
      'mock-vllm',
      'inference-pool',
      'epp',
      'envoy',
    ]);
    expect(steps.find((s) => s.name === 'epp')?.waitForDeployments).toEqual(['epp']);
    expect(all.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === KIND_NAMESPACE)).toBe(true);
  });

  it('annotates the EPP pod for Go injection into the epp container, aimed at the image binary', () => {
    const dep = find('Deployment', 'epp');
    expect(dep.spec.template.metadata.annotations).toEqual({
      'instrumentation.opentelemetry.io/inject-go': INSTRUMENTATION_NAME,
      // kind's default EPP is llm-d-router v0.10.0, whose image has its binary at /app/epp.
      'instrumentation.opentelemetry.io/otel-go-auto-target-exe': '/app/epp',
      'instrumentation.opentelemetry.io/container-names': 'epp',
    });
    expect(opts.eppVersion).toBe('llm-d-router-v0.10.0');
    expect(dep.spec.template.spec.containers[0].image).toBe('ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0');
  });

  it('runs every pinned EPP image with its own binary path, GIE included', () => {
    for (const [name, pin] of Object.entries(versions.epp.versions)) {
      const o = resolveRunOptions({ topology: 'kind', eppVersion: name }, {}, versions);
      const dep = renderKindManifests(o, versions)
        .flatMap((s) => s.objects)
        .find((x) => x.kind === 'Deployment' && x.metadata.name === 'epp') as KubeObject & {
        spec: {
          template: { metadata: { annotations: Record<string, string> }; spec: { containers: { image: string }[] } };
        };
      };
      expect([name, dep.spec.template.spec.containers[0].image]).toEqual([name, pin.image]);
      expect(dep.spec.template.metadata.annotations['instrumentation.opentelemetry.io/otel-go-auto-target-exe']).toBe(
        pin.imageBinary,
      );
    }
  });

  it('leaves out the target binary for the injection negative control (the operator then skips the pod)', () => {
    const o = resolveRunOptions({ topology: 'kind', goTargetExe: false }, {}, versions);
    const dep = renderKindManifests(o, versions)
      .flatMap((s) => s.objects)
      .find((x) => x.kind === 'Deployment' && x.metadata.name === 'epp') as KubeObject & {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(Object.keys(dep.spec.template.metadata.annotations)).toEqual([
      'instrumentation.opentelemetry.io/inject-go',
      'instrumentation.opentelemetry.io/container-names',
    ]);
  });

  it('gives the EPP pod the same flags and OTEL_* environment as the local process, minus the kubeconfig', () => {
    const c = find('Deployment', 'epp').spec.template.spec.containers[0];
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--grpc-port=9002',
        '--tracing=true',
        '--secure-serving=false',
        // The EPP watches the pool in the run's namespace (the RBAC Role is there too).
        `--pool-name=${find('InferencePool', 'e2e-pool').metadata.name}`,
        `--pool-namespace=${KIND_NAMESPACE}`,
      ]),
    );
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://jaeger.${KIND_NAMESPACE}.svc.cluster.local:4317`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'llm-d-epp',
      OTEL_RESOURCE_ATTRIBUTES: 'component=endpoint-picker',
    });
    expect(env.KUBECONFIG).toBeUndefined();
  });

  it('renders the Instrumentation CR from the run options', () => {
    const inst = find('Instrumentation', INSTRUMENTATION_NAME);
    expect(inst.spec).toEqual({
      exporter: { endpoint: `http://jaeger.${KIND_NAMESPACE}.svc.cluster.local:4318` },
      propagators: ['tracecontext', 'baggage'],
      sampler: { type: 'parentbased_traceidratio', argument: '0.25' },
      resource: { resourceAttributes: { component: 'endpoint-picker' } },
      go: {},
    });
  });

  it('runs N mock vLLM pods from the loaded image, each naming itself, and a pool on their port', () => {
    const dep = find('Deployment', 'mock-vllm');
    expect(dep.spec.replicas).toBe(3);
    const c = dep.spec.template.spec.containers[0];
    expect(c).toMatchObject({ image: versions.kind.mockVllmImage, imagePullPolicy: 'Never' });
    expect(c.args).toEqual(expect.arrayContaining(['--host=0.0.0.0', '--port=8000', '--pod-name=$(POD_NAME)']));
    expect(find('InferencePool', 'e2e-pool').spec).toMatchObject({
      selector: { matchLabels: { app: 'mock-vllm' } },
      targetPorts: [{ number: 8000 }],
      endpointPickerRef: { name: 'epp', kind: 'Service', port: { number: 9002 } },
    });
  });

  it('gives Envoy the local bootstrap with in-cluster addresses, listening on the pod network', () => {
    const boot = find('ConfigMap', 'envoy-bootstrap').data['envoy.yaml'] as string;
    expect(boot).toContain('address: 0.0.0.0');
    expect(boot).toContain(`address: epp.${KIND_NAMESPACE}.svc.cluster.local`);
    expect(boot).toContain('type: STRICT_DNS');
    expect(boot).toContain('request_body_mode: FULL_DUPLEX_STREAMED');
    expect(find('Deployment', 'envoy').spec.template.spec.containers[0].image).toBe(versions.envoy.image);
  });

  it('passes mock faults to the pods, as locally', () => {
    const faulty = resolveRunOptions({ topology: 'kind', faults: ['mock-vllm:drop-traceparent'] }, {}, versions);
    const dep = renderKindManifests(faulty, versions)
      .flatMap((s) => s.objects)
      .find((o) => o.metadata.name === 'mock-vllm' && o.kind === 'Deployment') as KubeObject & {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(dep.spec.template.spec.containers[0].args).toContain('--faults=drop-traceparent');
  });
});

describe('schema validation catches what the API server would reject', () => {
  const dep = (): KubeObject => JSON.parse(JSON.stringify(find('Deployment', 'epp'))) as KubeObject;

  it('a misspelt field, with its path and the fields that exist', () => {
    const d = dep() as KubeObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    d.spec.template.spec.containers[0].imagePulPolicy = 'Always';
    const [err] = validateObject(d, schemas);
    expect(err).toMatch(
      /^Deployment epp-e2e\/epp: spec\.template\.spec\.containers\[0\]\.imagePulPolicy: unknown field \(known: .*imagePullPolicy/,
    );
  });

  it('a wrong type and a value outside an enum in a CRD', () => {
    const inst = JSON.parse(JSON.stringify(find('Instrumentation', INSTRUMENTATION_NAME)));
    inst.spec.sampler.type = 'parentbased_ratio';
    inst.spec.propagators = 'tracecontext';
    expect(validateObject(inst, schemas)).toEqual([
      expect.stringContaining('spec.propagators: must be array, got string'),
      expect.stringContaining('spec.sampler.type: "parentbased_ratio" is not one of "always_on"'),
    ]);
  });

  it('a missing required field and an unknown kind', () => {
    const pool = JSON.parse(JSON.stringify(find('InferencePool', 'e2e-pool')));
    delete pool.spec.selector;
    expect(validateObject(pool, schemas)).toEqual([expect.stringContaining('spec.selector: required')]);
    expect(validateObject({ apiVersion: 'v9', kind: 'Thing', metadata: { name: 'x' } }, schemas)).toEqual([
      'v9/Thing: no schema known (add the kind to update-schemas.ts)',
    ]);
  });
});

describe('templates', () => {
  it('fill a whole scalar with any value and a partial one with text, and never break the YAML', () => {
    const [o] = renderTemplateText(
      't.yaml',
      "apiVersion: v1\nkind: X\nmetadata: {name: 'a-{{ n }}'}\nlist: '{{ l }}'\n",
      {
        n: 'x: y\n- z',
        l: [1, { a: 2 }],
      },
    );
    expect(o).toEqual({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a-x: y\n- z' }, list: [1, { a: 2 }] });
  });

  it('name the template and the field of a placeholder without a value', () => {
    expect(() => renderTemplateText('t.yaml', "apiVersion: v1\nkind: X\nmetadata: {name: '{{ nme }}'}\n", {})).toThrow(
      't.yaml: no value for {{ nme }} at metadata.name',
    );
  });
});
