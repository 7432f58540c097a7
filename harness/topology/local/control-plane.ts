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
  /** The EPP CRDs it holds, as module@version: only a topology whose EPP reads those may use it. */
  crds: string;
}

/**
 * A control plane a topology may use: which CRDs it holds, known at once, and the control plane itself once it is
 * up (it may still be starting; the promise fails with the reason when it did not start).
 */
export interface ControlPlaneOffer {
  crds: string;
  ready(): Promise<SharedControlPlane>;
}

/** The module (and version) of the InferencePool CRDs a local run's EPP reads. */
export function eppCrdsOf(opts: RunOptions, pins: Versions): string {
  const { module, version } = eppPinOf({ topology: 'local', opts, pins }).crds;
  return `${module}@${version}`;
}

/**
 * Why a local topology with these options cannot use the control plane, or undefined when it can. An EPP that
 * reads other CRDs (another GIE release) would need them installed under the same names. In operator mode the
 * operator registers a cluster-wide pod webhook and its own CRDs (two releases of them in the upgrade check):
 * it would admit the other topologies' pods, so that run keeps a control plane of its own.
 */
export function controlPlaneMismatch(
  opts: RunOptions,
  pins: Versions,
  controlPlane: Pick<SharedControlPlane, 'crds'>,
): string | undefined {
  if (opts.topology !== 'local') return `the ${opts.topology} topology has a cluster of its own`;
  if (opts.operatorMode) return 'operator mode registers a cluster-wide pod webhook';
  const crds = eppCrdsOf(opts, pins);
  return crds === controlPlane.crds ? undefined : `its EPP reads the CRDs of ${crds}, not ${controlPlane.crds}`;
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
    const crds = eppCrdsOf(opts, pins);
    const established = await installEppCrds(
      api.kube,
      await moduleDir(eppPinOf({ topology: 'local', opts, pins }).crds),
    );
    progress(`control plane of run ${ctx.runId} ready; CRDs of ${crds} established: ${established.join(', ')}`);
    const logs = Object.fromEntries(ctx.registry.processes.map((p) => [p.name, p.spec.logFile]));
    const { server, token, caPem, kubeconfig } = api;
    return {
      controlPlane: { server, token, caPem, kubeconfig, runDir: ctx.runDir, logs, crds },
      stop: () => ctx.registry.stopAll(),
    };
  } catch (err) {
    await ctx.registry.stopAll();
    throw err;
  }
}
