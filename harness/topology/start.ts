import type { RunOptions } from '../config/run-options';
import { startKindTopology } from './kind/kind-topology';
import { realKindDeps } from './kind/real-deps';
import type { ControlPlaneOffer } from './local/control-plane';
import { startLocalTopology } from './local/local-topology';
import type { Topology } from './types';

/**
 * A local port is chosen free, released, then bound by the component a moment later: another run on the machine
 * can take it in between. That start failed for a reason no component caused, so it is tried once more with new
 * ports; the message says so.
 */
export function lostPortRace(err: unknown): boolean {
  return /address already in use|EADDRINUSE/i.test((err as Error)?.message ?? '');
}

/**
 * One entry point for both topologies, so scenarios never know which one they run on. A local topology uses the
 * given control plane when it can (a scenario suite's shared one), else starts its own.
 */
export async function startTopology(
  opts: RunOptions,
  progress: (m: string) => void,
  controlPlane?: ControlPlaneOffer,
): Promise<Topology> {
  if (opts.topology === 'local') {
    try {
      return await startLocalTopology(opts, progress, controlPlane);
    } catch (err) {
      if (!lostPortRace(err)) throw err;
      progress(
        'a chosen port was taken by another process before its component bound it; starting again with new ports',
      );
      return startLocalTopology(opts, progress, controlPlane);
    }
  }
  return startKindTopology(opts, progress, await realKindDeps(opts, progress));
}
