import type { RunOptions } from '../config/run-options';
import { startKindTopology } from './kind/kind-topology';
import { realKindDeps } from './kind/real-deps';
import { startLocalTopology } from './local/local-topology';
import type { Topology } from './types';

/** One entry point for both topologies, so scenarios never know which one they run on. */
export async function startTopology(opts: RunOptions, progress: (m: string) => void): Promise<Topology> {
  if (opts.topology === 'local') return startLocalTopology(opts, progress);
  return startKindTopology(opts, progress, await realKindDeps(opts, progress));
}
