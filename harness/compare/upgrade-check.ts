import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { acquireCluster, type KindDeps } from '../topology/kind/kind-topology';
import { compareVariants, type CompareResult, type Variant } from './compare';

/** Both sides run in the check's one cluster, which neither deletes (the check does, at the end). */
export function upgradeVariants(base: RunOptions, from: string, to: string): [Variant, Variant] {
  const inCluster = (operatorVersion: string): Variant => ({
    version: `operator-${operatorVersion}`,
    opts: { ...base, kind: { ...base.kind, operatorVersion, reuseCluster: true, keepCluster: true } },
  });
  return [inCluster(from), inCluster(to)];
}

/**
 * The operator upgrade check: one kind cluster; the scenarios and probes run with operator `from`, then the
 * `to` release is applied over it in place (server-side apply of its manifest, as an upgrade by manifest does),
 * and every instrumented workload is recreated (each scenario file brings its namespace up from nothing, so the
 * EPP pod is admitted again by the upgraded webhook); then the same scenarios and probes run again.
 */
export async function operatorUpgradeCheck(
  base: RunOptions,
  from: string,
  to: string,
  scenarios: string[],
  outDir: string,
  deps: Pick<KindDeps, 'kind' | 'versions'>,
  progress: (m: string) => void,
): Promise<CompareResult> {
  if (base.topology !== 'kind')
    throw new Error('upgrade-check runs on the kind topology (the operator exists only there)');
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'epp-e2e-')), 'kubeconfig');
  const { created } = await acquireCluster(base, deps, progress, kubeconfig);
  try {
    return await compareVariants(
      'OpenTelemetry Operator',
      upgradeVariants(base, from, to),
      scenarios,
      outDir,
      progress,
    );
  } finally {
    if (created && !base.kind.keepCluster) {
      progress(`deleting kind cluster ${base.kind.clusterName}`);
      await deps.kind.deleteCluster(base.kind.clusterName);
    }
  }
}
