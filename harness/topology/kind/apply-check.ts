/**
 * Applies the kind topology's rendered manifests through the real client-node adapter to a Kubernetes API
 * server, as a server-side dry-run (the server validates every field against its schemas and the CRDs'), and
 * exercises the adapter's other calls on real objects. Run as a child process (client-node is an ES module,
 * which Jest's module system cannot load): prints one JSON line.
 *
 *   node -r ./bin/ts-register.js harness/topology/kind/apply-check.ts <kubeconfig>
 *
 * EPP_E2E_APPLY_CHECK_ADAPTER=0: the dry-runs only (`adapter` stays empty).
 */
import { resolveRunOptions } from '../../config/run-options';
import { loadVersions } from '../../tools/versions';
import { clientNodeApi } from './client-node-api';
import { KIND_NAMESPACE, renderKindManifests } from './manifests';

export interface ApplyCheckResult {
  /** The EPP the manifests were rendered for (kind's default: an llm-d-router image) and its image. */
  epp: { version: string; image: string };
  accepted: string[];
  rejected: { object: string; message: string }[];
  adapter: Record<string, unknown>;
}

async function main(kubeconfig: string): Promise<ApplyCheckResult> {
  const api = clientNodeApi(kubeconfig);
  const opts = resolveRunOptions({ topology: 'kind' });
  const objects = renderKindManifests(opts, loadVersions()).flatMap((s) => s.objects);
  const ns = objects.find((o) => o.kind === 'Namespace');
  if (!ns) throw new Error('no Namespace rendered');
  // Namespaced objects can only be dry-run into a namespace that exists.
  await api.apply(ns);
  const eppDeployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'epp') as
    | { spec: { template: { spec: { containers: { image: string }[] } } } }
    | undefined;
  const eppImage = eppDeployment?.spec.template.spec.containers[0].image ?? '(no epp Deployment)';
  const result: ApplyCheckResult = {
    epp: { version: opts.eppVersion, image: eppImage },
    accepted: [],
    rejected: [],
    adapter: {},
  };
  for (const o of objects) {
    const name = `${o.kind} ${o.metadata.name}`;
    try {
      await api.apply(o, { dryRun: true });
      result.accepted.push(name);
    } catch (err) {
      result.rejected.push({ object: name, message: (err as Error).message });
    }
  }
  // The adapter's other calls write to the server: a run beside another (the negative control) leaves them to it.
  if (process.env.EPP_E2E_APPLY_CHECK_ADAPTER === '0') return result;
  const cm = objects.find((o) => o.kind === 'ConfigMap');
  if (!cm) throw new Error('no ConfigMap rendered');
  await api.apply(cm);
  const got = await api.get(cm);
  const listed = await api.list('v1', 'ConfigMap', KIND_NAMESPACE);
  await api.delete(cm);
  result.adapter = {
    getAfterApply: got?.metadata.name,
    sameData: JSON.stringify(got?.data) === JSON.stringify(cm.data),
    listed: listed.map((o) => o.metadata.name).filter((n) => n === cm.metadata.name),
    getAfterDelete: (await api.get(cm)) === undefined ? 'gone' : 'still there',
    podsWithoutControllers: (await api.listPods(KIND_NAMESPACE, 'app=epp')).length,
    events: Array.isArray(await api.events(KIND_NAMESPACE)),
    logsOfMissingPod: await api.podLogs(KIND_NAMESPACE, 'nope', 'epp'),
  };
  return result;
}

main(process.argv[2] ?? '')
  .then((r) => process.stdout.write(JSON.stringify(r) + '\n'))
  .catch((err: Error) => {
    process.stderr.write(`apply-check: ${err.message}\n`);
    process.exit(1);
  });
