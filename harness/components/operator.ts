import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { binaryCommand, outputsOf, type ComponentDeclaration } from './declaration';
import { kubeApiserver } from './kube-apiserver';
import type { KubeClient, KubeObject } from './kube-client';
import { localInstrumentation } from './operator-epp-pod';
import { generateWebhookCerts } from './webhook-certs';
import { readYamlDocuments } from '../tools/yaml-documents';

/** Annotations of the operator's Go injection (internal/instrumentation/annotation.go). */
export const INJECT_GO = 'instrumentation.opentelemetry.io/inject-go';
export const GO_TARGET_EXE = 'instrumentation.opentelemetry.io/otel-go-auto-target-exe';
export const CONTAINER_NAMES = 'instrumentation.opentelemetry.io/container-names';
/** What the defaulting webhook stamps on an Instrumentation: proof that the webhook, not just the API, answered. */
export const DEFAULT_GO_IMAGE_ANNOTATION = 'instrumentation.opentelemetry.io/default-auto-instrumentation-go-image';

function yamlObjects(file: string): KubeObject[] {
  return (readYamlDocuments(file) as (KubeObject | null)[]).filter((o): o is KubeObject => !!o?.kind);
}

/** The operator's CRDs, from its module's config/crd/bases (what its release manifest installs). */
export function readOperatorCrds(operatorDir: string): KubeObject[] {
  const dir = join(operatorDir, 'config', 'crd', 'bases');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => yamlObjects(join(dir, f)))
    .filter((o) => o.kind === 'CustomResourceDefinition');
}

/** The operator's kinds that a run creates objects of; their CRDs go in as released, schema and all. */
const KINDS_WE_CREATE = ['Instrumentation'];

interface CrdVersion {
  schema?: unknown;
  [k: string]: unknown;
}

/**
 * The CRDs as this control plane gets them. The manager watches all its kinds, so every CRD must exist, but no
 * run creates a collector, OpAMP bridge, target allocator or cluster observability: their schemas (the collector's
 * alone is 414 KB) only cost the API server time to build its models, ~2.4 s of CPU at each operator-mode start
 * (measured: 2.7 s for the five as released, 0.4 s with these four open). They become "any object" schemas;
 * names, versions, scopes and subresources stay as released. Instrumentation keeps its own: our Instrumentation
 * is validated against it.
 */
export function crdsForLocalControlPlane(crds: KubeObject[]): KubeObject[] {
  return crds.map((crd) => {
    const spec = crd.spec as { names: { kind: string }; versions: CrdVersion[] };
    if (KINDS_WE_CREATE.includes(spec.names.kind)) return crd;
    const versions = spec.versions.map((v) => ({
      ...v,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }));
    return { ...crd, spec: { ...spec, versions } };
  });
}

interface WebhookEntry {
  name: string;
  clientConfig: { service?: { path?: string }; url?: string; caBundle?: string };
  [k: string]: unknown;
}

/**
 * The operator's own webhook configurations (config/webhook/manifests.yaml), re-aimed from the in-cluster
 * Service at the local process: https://127.0.0.1:PORT<path>, trusted through the run's CA, and scoped to the run's
 * namespace. Everything else (rules, failure policies, side effects) stays as the release has it.
 */
export function renderWebhookConfigs(
  operatorDir: string,
  port: number,
  caPem: string,
  runId: string,
  namespace: string,
): KubeObject[] {
  const docs = yamlObjects(join(operatorDir, 'config', 'webhook', 'manifests.yaml'));
  return docs.map((doc) => {
    const webhooks = (doc.webhooks as WebhookEntry[]).map((w) => {
      const path = w.clientConfig.service?.path;
      if (!path) throw new Error(`operator webhook ${w.name} has no service path to re-aim`);
      return {
        ...w,
        clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle: Buffer.from(caPem).toString('base64') },
        // Only the run's namespace: on a control plane other runs share (each in a namespace of its own), their
        // pods must not go through this operator, which stops with its run. The release's webhooks select none.
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      };
    });
    return {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: {
        // One pair per namespace: an operator started later in the same namespace (the upgrade check's second
        // release) replaces the first's, as a release's manifest does in a cluster.
        name: `epp-e2e-otel-operator-${doc.kind === 'MutatingWebhookConfiguration' ? 'mutating' : 'validating'}-${namespace}`,
        labels: { 'epp-otel-e2e/run': runId },
      },
      webhooks,
    };
  });
}

export interface OperatorPorts {
  webhook: number;
  metrics: number;
  health: number;
}

/**
 * The manager's flags out of cluster: Go injection on (off by default), our own ports on 127.0.0.1 for metrics
 * and health, no leader election (one process, no lease to hold), and the Go image its release would have had.
 * The webhook server binds every interface: the operator has no flag for its host (controller-runtime's
 * webhook.Options.Host is not exposed), so only its port is ours to choose.
 */
export function operatorArgs(ports: OperatorPorts, goImage: string): string[] {
  return [
    '--enable-go-instrumentation=true',
    `--webhook-port=${ports.webhook}`,
    `--metrics-addr=127.0.0.1:${ports.metrics}`,
    `--health-probe-addr=127.0.0.1:${ports.health}`,
    '--enable-leader-election=false',
    `--auto-instrumentation-go-image=${goImage}`,
  ];
}

export interface OperatorConfig {
  version: string;
  /** The operator module's source at that version (CRDs, webhook manifests). */
  moduleDir: string;
  /** The API server it manages, and the client that installs its CRDs and webhooks there. */
  kube: KubeClient;
  kubeconfig: string;
  goImage: string;
  /** Used as the readiness probe: a server-side dry-run of this Instrumentation must come back defaulted. */
  probeInstrumentation: KubeObject;
  /** The run's namespace: the only one its webhooks see. */
  namespace: string;
}

/** Its temporary folder in the run's: where it reads its webhook serving certificate (TMPDIR/k8s-webhook-server/...). */
function tmpDirOf(c: OperatorConfig): string {
  return `operator-${c.version}-tmp`;
}

/**
 * The operator's manager against the local API server. Before it starts, its CRDs and webhook configurations are
 * installed there. Ready when its defaulting webhook answers a dry-run of our Instrumentation: the pod webhook is
 * failurePolicy Ignore, so a pod created before that would silently go uninstrumented.
 */
export const operator: ComponentDeclaration<
  OperatorConfig,
  keyof OperatorPorts,
  { version: string; /** Where its webhook answers (all interfaces, see operatorArgs). */ webhookUrl: string }
> = {
  name: 'otel-operator',
  instanceName: (c) => `otel-operator-${c.version}`,
  ports: ['webhook', 'metrics', 'health'],
  command: binaryCommand('otel-operator'),
  args: (c, ports) => operatorArgs(ports, c.goImage),
  env: (c, _, fileAt) => ({ KUBECONFIG: c.kubeconfig, TMPDIR: fileAt(tmpDirOf(c)) }),
  prepare: async (c, at) => {
    const crds = crdsForLocalControlPlane(readOperatorCrds(c.moduleDir));
    for (const crd of crds) await c.kube.apply(crd);
    for (const crd of crds) await c.kube.waitForCrdEstablished(crd.metadata.name);
    const tmpDir = join(at.runDir, tmpDirOf(c));
    mkdirSync(tmpDir, { recursive: true });
    const certs = await generateWebhookCerts(tmpDir);
    for (const cfg of renderWebhookConfigs(c.moduleDir, at.ports.webhook, certs.caPem, at.runId, c.namespace)) {
      await c.kube.apply(cfg);
    }
  },
  // Its manager's graceful shutdown (controllers, webhook server) takes about 1 s and leaves nothing a run reads.
  stopSignal: 'SIGKILL',
  readiness: (c) => [
    {
      what: `OpenTelemetry Operator ${c.version} webhook (dry-run of Instrumentation ${c.probeInstrumentation.metadata.name})`,
      probe: async () => {
        try {
          const out = await c.kube.dryRunCreate(c.probeInstrumentation);
          const annotations = (out.metadata.annotations ?? {}) as Record<string, string>;
          return annotations[DEFAULT_GO_IMAGE_ANNOTATION]
            ? true
            : `the dry-run came back without ${DEFAULT_GO_IMAGE_ANNOTATION}: the defaulting webhook did not run`;
        } catch (err) {
          return (err as Error).message;
        }
      },
      timeoutMs: 60000,
    },
  ],
  outputs: (c, { placement }) => ({ version: c.version, webhookUrl: `https://127.0.0.1:${placement.ports.webhook}` }),
  // Local operator mode only: on kind the topology installs the operator's release manifest.
  wiring: {
    after: ['kube-apiserver'],
    instances: (run, up) => {
      if (run.topology !== 'local' || !run.opts.operatorMode) return [];
      const tools = run.tools.operatorMode;
      if (!tools) throw new Error('operator mode without the operator tools');
      const [api] = outputsOf(up, kubeApiserver);
      return [
        {
          version: run.opts.kind.operatorVersion,
          moduleDir: tools.operatorDir,
          kube: api.kube,
          kubeconfig: api.kubeconfig,
          goImage: tools.goImage,
          probeInstrumentation: localInstrumentation(run),
          namespace: run.namespace,
        },
      ];
    },
    binary: (tools) => tools.operatorMode?.operator,
    starting: (run) =>
      `starting the OpenTelemetry Operator ${run.opts.kind.operatorVersion} (local manager, webhook on 127.0.0.1)`,
  },
};
