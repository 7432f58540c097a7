import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunOptions } from '../config/run-options';
import { acquireCluster } from '../topology/kind/kind-topology';
import { realKindDeps } from '../topology/kind/real-deps';

const CREATED = 'EPP_E2E_KIND_CLUSTER_CREATED_BY_RUN';
const progress = (m: string): void => void process.stderr.write(`[epp-e2e] ${m}\n`);

/**
 * Jest globalSetup of the e2e project. On kind, one cluster serves every scenario file of the run: it is
 * created here (or reused when asked), each file then brings its own namespace up and down in it, and the
 * teardown below deletes the cluster if this run created it. On local, nothing to do.
 */
export async function setupRunCluster(): Promise<void> {
  const opts = resolveRunOptions({});
  if (opts.topology !== 'kind') return;
  const deps = await realKindDeps(opts, progress);
  const { created } = await acquireCluster(
    opts,
    deps,
    progress,
    join(mkdtempSync(join(tmpdir(), 'epp-e2e-')), 'kubeconfig'),
  );
  // Scenario files run in this process (--runInBand) and read these: they reuse, and do not delete, the cluster.
  process.env.EPP_E2E_REUSE_CLUSTER = '1';
  if (created) process.env[CREATED] = '1';
}

export async function teardownRunCluster(): Promise<void> {
  const opts = resolveRunOptions({});
  if (opts.topology !== 'kind' || process.env[CREATED] !== '1') return;
  if (opts.kind.keepCluster) {
    progress(
      `keeping cluster ${opts.kind.clusterName}; delete it with: kind delete cluster --name ${opts.kind.clusterName}`,
    );
    return;
  }
  progress(`deleting kind cluster ${opts.kind.clusterName}`);
  await (await realKindDeps(opts, progress)).kind.deleteCluster(opts.kind.clusterName);
}
