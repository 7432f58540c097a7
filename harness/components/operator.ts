import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ManagedProcess } from '../runtime/managed-process';
import { waitReady } from '../runtime/readiness';
import type { RunContext } from '../runtime/run-context';
import type { KubeClient, KubeObject } from './kube-client';
import { generateWebhookCerts } from './webhook-certs';

/** Annotations of the operator's Go injection (internal/instrumentation/annotation.go). */
export const INJECT_GO = 'instrumentation.opentelemetry.io/inject-go';
export const GO_TARGET_EXE = 'instrumentation.opentelemetry.io/otel-go-auto-target-exe';
export const CONTAINER_NAMES = 'instrumentation.opentelemetry.io/container-names';
/** What the defaulting webhook stamps on an Instrumentation: proof that the webhook, not just the API, answered. */
export const DEFAULT_GO_IMAGE_ANNOTATION = 'instrumentation.opentelemetry.io/default-auto-instrumentation-go-image';

function yamlObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o?.kind);
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

interface WebhookEntry {
  name: string;
  clientConfig: { service?: { path?: string }; url?: string; caBundle?: string };
  [k: string]: unknown;
}

/**
 * The operator's own webhook configurations (config/webhook/manifests.yaml), re-aimed from the in-cluster
 * Service at the local process: https://127.0.0.1:PORT<path>, trusted through the run's CA. Everything else
 * (rules, failure policies, side effects) stays as the release has it.
 */
export function renderWebhookConfigs(operatorDir: string, port: number, caPem: string, runId: string): KubeObject[] {
  const docs = yamlObjects(join(operatorDir, 'config', 'webhook', 'manifests.yaml'));
  return docs.map((doc) => {
    const webhooks = (doc.webhooks as WebhookEntry[]).map((w) => {
      const path = w.clientConfig.service?.path;
      if (!path) throw new Error(`operator webhook ${w.name} has no service path to re-aim`);
      return {
        ...w,
        clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle: Buffer.from(caPem).toString('base64') },
      };
    });
    return {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: {
        name: `epp-e2e-otel-operator-${doc.kind === 'MutatingWebhookConfiguration' ? 'mutating' : 'validating'}`,
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

export interface StartedOperator {
  process: ManagedProcess;
  version: string;
  /** Where its webhook answers (all interfaces, see operatorArgs). */
  webhookUrl: string;
}

export interface OperatorLaunch {
  version: string;
  binary: string;
  /** The operator module's source at that version (CRDs, webhook manifests). */
  moduleDir: string;
  kubeconfig: string;
  ports: OperatorPorts;
  goImage: string;
  /** Used as the readiness probe: a server-side dry-run of this Instrumentation must come back defaulted. */
  probeInstrumentation: KubeObject;
}

/**
 * Installs the operator's CRDs and webhook configurations into the local API server and runs the manager
 * against it. Ready when its defaulting webhook answers a dry-run of our Instrumentation: the pod webhook is
 * failurePolicy Ignore, so a pod created before that would silently go uninstrumented.
 */
export async function startOperator(ctx: RunContext, kube: KubeClient, l: OperatorLaunch): Promise<StartedOperator> {
  const crds = readOperatorCrds(l.moduleDir);
  for (const crd of crds) await kube.apply(crd);
  for (const crd of crds) await kube.waitForCrdEstablished(crd.metadata.name);
  const tmpDir = join(ctx.runDir, `operator-${l.version}-tmp`);
  mkdirSync(tmpDir, { recursive: true });
  const certs = await generateWebhookCerts(tmpDir);
  for (const cfg of renderWebhookConfigs(l.moduleDir, l.ports.webhook, certs.caPem, ctx.runId)) await kube.apply(cfg);
  const process = ctx.registry.start({
    name: `otel-operator-${l.version}`,
    command: l.binary,
    args: operatorArgs(l.ports, l.goImage),
    env: {
      PATH: globalThis.process.env.PATH,
      HOME: globalThis.process.env.HOME,
      KUBECONFIG: l.kubeconfig,
      TMPDIR: tmpDir,
    },
    logFile: join(ctx.logsDir, `otel-operator-${l.version}.log`),
  });
  await waitReady(
    `OpenTelemetry Operator ${l.version} webhook (dry-run of Instrumentation ${l.probeInstrumentation.metadata.name})`,
    async () => {
      try {
        const out = await kube.dryRunCreate(l.probeInstrumentation);
        const annotations = (out.metadata.annotations ?? {}) as Record<string, string>;
        return annotations[DEFAULT_GO_IMAGE_ANNOTATION]
          ? true
          : `the dry-run came back without ${DEFAULT_GO_IMAGE_ANNOTATION}: the defaulting webhook did not run`;
      } catch (err) {
        return (err as Error).message;
      }
    },
    { timeoutMs: 60000, process },
  );
  return { process, version: l.version, webhookUrl: `https://127.0.0.1:${l.ports.webhook}` };
}
