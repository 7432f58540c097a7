import type { RawOptions, RunOptions } from '../config/run-options';
import { readRunOptions, scenarioOptions } from '../config/run-options-file';
import { startTopology } from '../topology/start';
import { TOPOLOGY_CAPABILITIES, type Capability, type Topology } from '../topology/types';
import { JaegerClient } from '../traces/jaeger-client';
import { reportTopology } from '../report/test-evidence';
import { deathReport, throwIfDead } from '../runtime/deaths';
import { basename } from 'node:path';
import {
  SharedTopologyView,
  awaitSharedRecord,
  canShare,
  holdSharedTopology,
  sharedRecordExpected,
} from './shared-topology';
import { absenceJudge } from './sentinels';
import { suiteControlPlane } from './shared-control-plane';
import {
  controlPlaneHolds,
  startSharedControlPlane,
  type ControlPlaneOffer,
  type SharedControlPlane,
} from '../topology/local/control-plane';
import { loadVersions, selectPins } from '../tools/versions';

export interface ScenarioEnv {
  topology: Topology;
  jaeger: JaegerClient;
  options: RunOptions;
  /** The control plane the topology was given for itself alone (TopologyRequest.ownControlPlane). */
  ownControlPlane?: SharedControlPlane;
}

/** One topology of useTopologies: its options, and whether it gets a control plane of its own. */
export interface TopologyRequest {
  options: RawOptions;
  /**
   * A control plane started for this topology alone, the way the run starts the one its topologies share (which
   * this topology then does not use): for a file that kills it, without breaking the other files' topologies.
   */
  ownControlPlane?: boolean;
}

const progress = (m: string): void => {
  process.stderr.write(`[epp-e2e] ${m}\n`);
};

/**
 * Whether a file with these options uses the run's shared topology: the run shares one (the global setup starts it
 * with the run's options) and the file's options allow it (canShare).
 */
function usesSharedTopology(options: RunOptions): boolean {
  const run = readRunOptions();
  return sharedRecordExpected() && run !== undefined && canShare(options, run);
}

/** A started (or borrowed) topology with what its scenarios use, and how to give it back. */
interface Acquired {
  env: ScenarioEnv;
  release: () => Promise<void>;
}

/**
 * A control plane for one topology alone, offered to it as the run's shared one is offered to the others: both
 * start together, the topology's components that do not need it (Jaeger, the mocks) without waiting for it.
 */
function ownControlPlane(options: RunOptions): {
  offer: ControlPlaneOffer;
  started: Promise<{ controlPlane: SharedControlPlane; stop(): Promise<void> }>;
} {
  const started = startSharedControlPlane(options, progress, 'one topology alone');
  started.catch(() => undefined); // the topology's start reports it (offer.ready)
  const holds = controlPlaneHolds(options, selectPins(loadVersions(), options));
  return { offer: { holds, ready: async () => (await started).controlPlane }, started };
}

/** The run's shared topology when the options allow it, else one of its own; see useTopology. */
async function acquireTopology({ options: overrides, ownControlPlane: own }: TopologyRequest): Promise<Acquired> {
  const options = scenarioOptions(overrides);
  let topology: Topology;
  let unlock: (() => void) | undefined;
  let privateControlPlane: { controlPlane: SharedControlPlane; stop(): Promise<void> } | undefined;
  if (own) {
    const { offer, started } = ownControlPlane(options);
    try {
      topology = await startTopology(options, progress, offer);
    } catch (err) {
      await started.then(
        (cp) => cp.stop(),
        () => undefined,
      );
      throw err;
    }
    privateControlPlane = await started;
  } else if (usesSharedTopology(options)) {
    const shared = await awaitSharedRecord(progress);
    unlock = await holdSharedTopology(shared, basename(expect.getState().testPath ?? 'a scenario file'), progress);
    progress(`using the run's shared ${shared.endpoints.topology} topology (${shared.endpoints.runDir})`);
    topology = new SharedTopologyView(shared);
  } else {
    topology = await startTopology(options, progress, suiteControlPlane(progress));
  }
  const { jaegerQuery, jaegerUi, runDir } = topology.endpoints;
  const jaeger = new JaegerClient(jaegerQuery, jaegerUi, () => deathReport(runDir));
  // Trace waits decide an absence at the flush horizon (every exporter's sentinel in Jaeger), not at a timeout.
  jaeger.absence = absenceJudge(topology, jaeger);
  return {
    env: { topology, options, jaeger, ownControlPlane: privateControlPlane?.controlPlane },
    release: async () => {
      await topology.stop();
      await privateControlPlane?.stop();
      unlock?.();
    },
  };
}

const notStarted = (): never => {
  throw new Error('the topology did not start (see the beforeAll error above)');
};

/**
 * Starts one topology for the scenarios of a file (beforeAll) and stops it (afterAll), also when a test fails.
 * The run options come from the run's options file (written once by the CLI or the global setup) with the
 * file's overrides.
 * When the run shares a topology (`make e2e`, `epp-e2e run`) and the file's options allow it, the file uses
 * that one instead of starting its own.
 */
export function useTopology(overrides: RawOptions = {}): () => ScenarioEnv {
  let acquired: Acquired | undefined;
  beforeAll(async () => {
    acquired = await acquireTopology({ options: overrides });
    // Every failing test of this file reports this topology's logs and run folder (see report/e2e-environment.ts).
    reportTopology(acquired.env.topology);
  });
  // A component that died fails every later check of the file at once, with the same cause.
  beforeEach(() => {
    if (acquired) throwIfDead(acquired.env.topology.endpoints.runDir);
  });
  afterAll(async () => {
    reportTopology(undefined);
    await acquired?.release();
  });
  return () => acquired?.env ?? notStarted();
}

/**
 * Several topologies for one file, started together in one beforeAll and stopped together in one afterAll: for a
 * file whose cases each need a fresh topology (they kill a component of it), so that it waits for one start-up,
 * not one per case. Each getter serves one describe block. Calling it is where a case learns that a component of
 * its topology died earlier (useTopology's beforeEach, per topology), and it makes that topology the one a failure
 * reports.
 */
export function useTopologies(requests: TopologyRequest[]): (() => ScenarioEnv)[] {
  let acquired: PromiseSettledResult<Acquired>[] = [];
  beforeAll(async () => {
    // The shared topology is held by one file at a time: a second hold by the same file would wait for itself.
    if (requests.filter((r) => !r.ownControlPlane && usesSharedTopology(scenarioOptions(r.options))).length > 1)
      throw new Error(
        "useTopologies: at most one of the topologies may be the run's shared one; give the others options of their own",
      );
    acquired = await Promise.allSettled(requests.map((r) => acquireTopology(r)));
    const failed = acquired.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) throw failed.reason;
  });
  afterAll(async () => {
    reportTopology(undefined);
    await Promise.all(acquired.map((a) => (a.status === 'fulfilled' ? a.value.release() : undefined)));
  });
  return requests.map((_, i) => () => {
    const a = acquired[i];
    if (a?.status !== 'fulfilled') return notStarted();
    reportTopology(a.value.env.topology);
    throwIfDead(a.value.env.topology.endpoints.runDir);
    return a.value.env;
  });
}

/**
 * Whether this run's topology has what a scenario needs. A scenario that does not apply says so by name in a
 * test of its own (so it is in the output and the JUnit report), never by silently skipping.
 */
export function applicability(needs: Capability[], overrides: RawOptions = {}): { applies: boolean; reason: string } {
  const topology = scenarioOptions(overrides).topology;
  const missing = needs.filter((c) => !TOPOLOGY_CAPABILITIES[topology].includes(c));
  const has = (Object.keys(TOPOLOGY_CAPABILITIES) as (keyof typeof TOPOLOGY_CAPABILITIES)[]).filter((t) =>
    missing.every((c) => TOPOLOGY_CAPABILITIES[t].includes(c)),
  );
  return {
    applies: missing.length === 0,
    reason: `not applicable on the ${topology} topology: needs ${missing.join(', ')}, which only ${has.join(', ') || 'no topology'} has`,
  };
}

/**
 * The one sanctioned skip: a scenario that cannot run on this topology is reported as skipped, by name and with its
 * reason, in jest's output ("○ skipped <reason>") and in JUnit (<skipped/>), never as passed and never silently.
 */
export function notApplicable(scenario: string, reason: string): void {
  process.stderr.write(`[epp-e2e] ${scenario}: ${reason}\n`);
  const skip = it.skip;
  describe(scenario, () => {
    skip(reason, () => undefined);
  });
}
