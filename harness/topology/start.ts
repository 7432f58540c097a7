import type { RunOptions } from '../config/run-options';
import { startLocalTopology } from './local/local-topology';
import type { Topology } from './types';

/** One entry point for both topologies, so scenarios never know which one they run on. */
export async function startTopology(opts: RunOptions, progress: (m: string) => void): Promise<Topology> {
  if (opts.topology === 'local') return startLocalTopology(opts, progress);
  throw new Error('the kind topology is not implemented yet; run with the local topology (EPP_E2E_TOPOLOGY=local)');
}
