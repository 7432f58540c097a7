import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { acquireCluster, type KindDeps } from '../topology/kind/kind-topology';
import type { KubeObject } from '../components/kube-client';
import { compareRecords, htmlReport, markdownReport, textReport } from './report';
import { compareVariants, recordVariant, type CompareResult, type Variant } from './compare';
import { diffPodSpecs, formatPodSpecDiff, type PodSpecChange } from './pod-spec-diff';

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
    throw new Error('operatorUpgradeCheck is the kind path; local is localOperatorUpgradeCheck');
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

/** The scenarios whose outcome depends on the operator: the local upgrade check's default. */
export const LOCAL_UPGRADE_SCENARIOS = ['injection'];

export interface LocalUpgradeResult extends CompareResult {
  podSpecChanges: PodSpecChange[];
}

/**
 * The operator upgrade check without Docker: each release runs for real as a local manager against a fresh local
 * control plane (so the `to` release admits the EPP pod anew, as recreated workloads are after an upgrade), the
 * probes record trace shapes (the agent's span included), the mutated EPP pods are diffed (env, sidecar image,
 * security context), and the scenarios run on each. Non-zero when a scenario that passed fails after the
 * upgrade, or the pod lost something the first release gave it.
 */
export async function localOperatorUpgradeCheck(
  base: RunOptions,
  from: string,
  to: string,
  scenarios: string[],
  outDir: string,
  progress: (m: string) => void,
): Promise<LocalUpgradeResult> {
  mkdirSync(outDir, { recursive: true });
  // The scenarios ask for operator mode themselves (the injection file does); the probes' topology runs in it.
  const variant = (operatorVersion: string): Variant => ({
    version: `operator-${operatorVersion}`,
    opts: { ...base, topology: 'local', kind: { ...base.kind, operatorVersion } },
  });
  const pods: KubeObject[] = [];
  const record = (v: Variant): ReturnType<typeof recordVariant> =>
    recordVariant(
      'OpenTelemetry Operator',
      v,
      scenarios,
      outDir,
      progress,
      async (topology) => {
        const pod = await topology.eppPod?.();
        if (!pod) throw new Error(`${v.version}: the topology shows no EPP pod`);
        pods.push(pod);
      },
      { ...v.opts, operatorMode: true },
    );
  const a = await record(variant(from));
  const b = await record(variant(to));
  const c = compareRecords(a, b);
  const podSpecChanges = diffPodSpecs(pods[0], pods[1]);
  const podText = formatPodSpecDiff(from, to, podSpecChanges);
  const stem = join(outDir, `upgrade-${from}-${to}`);
  writeFileSync(`${stem}.md`, `${markdownReport(a, b, c)}\n\n## Mutated EPP pod\n\n\`\`\`\n${podText}\n\`\`\`\n`);
  writeFileSync(`${stem}.html`, htmlReport(a, b, c));
  writeFileSync(`${stem}.json`, JSON.stringify({ a, b, comparison: c, pods, podSpecChanges }, null, 2));
  return {
    text: `${textReport(a, b, c)}\n\n${podText}`,
    markdownFile: `${stem}.md`,
    htmlFile: `${stem}.html`,
    regressed: c.regressed || podSpecChanges.some((x) => x.regression),
    podSpecChanges,
  };
}
