import type { RunOptions } from '../../config/run-options';
import { eppPinOf, installEppCrds } from '../../components/epp';
import { etcd } from '../../components/etcd';
import { kubeApiserver, type ApiserverAccess } from '../../components/kube-apiserver';
import { KubeClient } from '../../components/kube-client';
import { createRunContext, type RunContext } from '../../runtime/run-context';
import { moduleDir } from '../../tools/build-go-tool';
import { ensureControlPlaneTools, type LocalToolPaths } from '../../tools/tools';
import { loadVersions, selectPins, type Versions } from '../../tools/versions';
import { freePortsFor, launchLocal } from './launch';

/**
 * A control plane (etcd + kube-apiserver) that one run started and other local topologies use, each in a
 * namespace of its own: a scenario suite starts one instead of one per topology (each start costs ~2-3 s of CPU,
 * and 14 of them were a third of a suite's CPU on 2 cores). Plain data: it is handed to jest workers in a file.
 */
export interface SharedControlPlane {
  server: string;
  token: string;
  caPem: string;
  kubeconfig: string;
  /** The run folder of its processes: their logs, and their deaths, which are its users' deaths too. */
  runDir: string;
  /** Its processes' log files by name, for its users' failure reports. */
  logs: Record<string, string>;
  holds: ControlPlaneHolds;
}

/** The cluster-wide objects of a control plane, which its users must agree on: a CRD exists once per name. */
export interface ControlPlaneHolds {
  /** The EPP CRDs it holds, as module@version: only a topology whose EPP reads those may use it. */
  eppCrds: string;
  /** The one operator release whose CRDs operator-mode topologies install there. */
  operatorVersion: string;
}

/**
 * A control plane a topology may use: what it holds, known at once, and the control plane itself once it is up
 * (it may still be starting; the promise fails with the reason when it did not start).
 */
export interface ControlPlaneOffer {
  holds: ControlPlaneHolds;
  ready(): Promise<SharedControlPlane>;
}

/** What a control plane for a run with these options holds: its EPP's CRDs and its operator release's. */
export function controlPlaneHolds(opts: RunOptions, pins: Versions): ControlPlaneHolds {
  const { module, version } = eppPinOf({ topology: 'local', opts, pins }).crds;
  return { eppCrds: `${module}@${version}`, operatorVersion: opts.kind.operatorVersion };
}

/**
 * Why a local topology with these options cannot use the control plane, or undefined when it can: its objects go
 * to a namespace of its own there (the operator's webhooks too, scoped to it), but CRDs are cluster-wide. An EPP
 * that reads other CRDs (another GIE release), or an operator of another release, would need theirs installed
 * under the same names.
 */
export function controlPlaneMismatch(
  opts: RunOptions,
  pins: Versions,
  controlPlane: Pick<SharedControlPlane, 'holds'>,
): string | undefined {
  if (opts.topology !== 'local') return `the ${opts.topology} topology has a cluster of its own`;
  const wanted = controlPlaneHolds(opts, pins);
  const held = controlPlane.holds;
  if (wanted.eppCrds !== held.eppCrds) return `its EPP reads the CRDs of ${wanted.eppCrds}, not ${held.eppCrds}`;
  if (opts.operatorMode && wanted.operatorVersion !== held.operatorVersion)
    return `its operator ${wanted.operatorVersion} has other CRDs than ${held.operatorVersion}`;
  return undefined;
}

/** What a run that uses the control plane gets as the kube-apiserver component's outputs. */
export function accessTo(controlPlane: SharedControlPlane): ApiserverAccess {
  const { server, token, caPem, kubeconfig } = controlPlane;
  return { server, token, caPem, kubeconfig, kube: new KubeClient(server, token, caPem) };
}

/** etcd, then kube-apiserver on it, as processes of the run context: a control plane and nothing else. */
export async function launchControlPlane(
  ctx: RunContext,
  tools: Pick<LocalToolPaths, 'etcd' | 'kubeApiserver'>,
): Promise<ApiserverAccess> {
  const [etcdPorts, apiPorts] = await freePortsFor(etcd, kubeApiserver);
  const store = await launchLocal(ctx, etcd, {}, { ports: etcdPorts, binary: tools.etcd });
  return launchLocal(ctx, kubeApiserver, { etcdUrl: store.url }, { ports: apiPorts, binary: tools.kubeApiserver });
}

/**
 * Starts the control plane the local topologies of a suite share, with the CRDs the run's EPP reads. Its
 * processes belong to a run of their own (folder, logs, reaper): stop() ends them, a killed harness's reaper too.
 */
export async function startSharedControlPlane(
  opts: RunOptions,
  progress: (m: string) => void,
  users = "the run's local topologies",
): Promise<{ controlPlane: SharedControlPlane; stop(): Promise<void> }> {
  const pins = selectPins(loadVersions(), opts);
  const tools = await ensureControlPlaneTools(pins, progress);
  const ctx = createRunContext(opts.runsRoot, progress);
  progress(`starting a control plane for ${users} (run ${ctx.runId})`);
  try {
    const api = await launchControlPlane(ctx, tools);
    const holds = controlPlaneHolds(opts, pins);
    const established = await installEppCrds(
      api.kube,
      await moduleDir(eppPinOf({ topology: 'local', opts, pins }).crds),
    );
    progress(
      `control plane of run ${ctx.runId} ready; CRDs of ${holds.eppCrds} established: ${established.join(', ')}`,
    );
    const logs = Object.fromEntries(ctx.registry.processes.map((p) => [p.name, p.spec.logFile]));
    const { server, token, caPem, kubeconfig } = api;
    return {
      controlPlane: { server, token, caPem, kubeconfig, runDir: ctx.runDir, logs, holds },
      stop: () => ctx.registry.stopAll(),
    };
  } catch (err) {
    await ctx.registry.stopAll();
    throw err;
  }
}
