import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveRunOptions, type RunOptions } from '../config/run-options';
import { OPTIONS_FILE_ENV, readRunOptions, writeRunOptions } from '../config/run-options-file';
import { startTopology } from '../topology/start';
import type { Topology } from '../topology/types';
import { SHARED_FILE, SHARE_FLAG, sharedRecordFile, writeSharedRecord } from './shared-topology';
import { acquireCluster } from '../topology/kind/kind-topology';
import { realKindDeps } from '../topology/kind/real-deps';
import { controlPlaneHolds, startSharedControlPlane } from '../topology/local/control-plane';
import { loadVersions, selectPins } from '../tools/versions';
import { handoffFile, writeHandoff } from './handoff';
import { CONTROL_PLANE_HOLDS, CONTROL_PLANE_FILE, suiteControlPlane } from './shared-control-plane';

const progress = (m: string): void => void process.stderr.write(`[epp-e2e] ${m}\n`);

// Jest hands globalSetup's globals to globalTeardown (and to nothing else).
const holder = globalThis as {
  /** The control plane the suite's local topologies share (undefined once it failed to start). */
  eppE2eControlPlane?: Promise<{ stop(): Promise<void> } | undefined>;
  eppE2eSharedTopology?: Topology;
  /** The shared topology's start, under way while the first files run. */
  eppE2eSharedStart?: Promise<void>;
  /** The run's options as given (before the kind setup marks the cluster as one to reuse). */
  eppE2eRunOptions?: RunOptions;
  eppE2eClusterCreated?: boolean;
};

/**
 * The run's options: from the file the CLI wrote, or, when jest was started directly, resolved here once from the
 * environment and written to the runs folder. Scenario files read that file (OPTIONS_FILE_ENV), not the environment.
 */
function runOptions(): RunOptions {
  const given = readRunOptions();
  if (given) return given;
  const opts = resolveRunOptions({});
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  process.env[OPTIONS_FILE_ENV] = writeRunOptions(join(opts.runsRoot, `jest-${stamp}-${process.pid}`), opts);
  return opts;
}

/**
 * Local, when the run shares a topology: one etcd + kube-apiserver, with the run's EPP CRDs, for every local
 * topology of the run that can use it (controlPlaneMismatch), each in a namespace of its own, instead of one each.
 * In the background: the files learn where it is from the environment and wait for it when they need it.
 */
function setupSharedControlPlane(opts: RunOptions): void {
  if (process.env[SHARE_FLAG] !== '1' || opts.topology !== 'local') return;
  const file = handoffFile(opts.runsRoot, 'control-plane');
  mkdirSync(dirname(file), { recursive: true });
  process.env[CONTROL_PLANE_FILE] = file;
  process.env[CONTROL_PLANE_HOLDS] = JSON.stringify(controlPlaneHolds(opts, selectPins(loadVersions(), opts)));
  holder.eppE2eControlPlane = startSharedControlPlane(opts, progress).then(
    (started) => {
      writeHandoff(file, started.controlPlane);
      return started;
    },
    (err: Error) => {
      progress(`the shared control plane did not start: ${err.message}`);
      writeHandoff(file, { error: err.message });
      return undefined;
    },
  );
}

async function teardownSharedControlPlane(): Promise<void> {
  const started = await holder.eppE2eControlPlane;
  holder.eppE2eControlPlane = undefined;
  const file = process.env[CONTROL_PLANE_FILE];
  delete process.env[CONTROL_PLANE_FILE];
  delete process.env[CONTROL_PLANE_HOLDS];
  await started?.stop();
  if (file) rmSync(file, { force: true });
}

/**
 * Local, when the run asks for it: one topology with the run's default options, which every scenario file
 * whose options are the same (bar fewer models) uses instead of starting its own; see canShare.
 */
function setupSharedTopology(opts: RunOptions): void {
  if (process.env[SHARE_FLAG] !== '1' || opts.topology !== 'local') return;
  // In the background: the files with topologies of their own start meanwhile (they run first, being the longest),
  // and the files that share it wait for its record (awaitSharedRecord).
  progress('starting the topology shared by the scenario files that can use it (in the background)');
  const file = sharedRecordFile(opts.runsRoot);
  mkdirSync(dirname(file), { recursive: true });
  process.env[SHARED_FILE] = file;
  holder.eppE2eSharedStart = startTopology(opts, progress, suiteControlPlane(progress)).then(
    (topology) => {
      holder.eppE2eSharedTopology = topology;
      writeSharedRecord(file, { endpoints: topology.endpoints, options: opts });
    },
    (err: Error) => {
      progress(`the shared topology did not start: ${err.message}`);
      writeSharedRecord(file, { error: err.message });
    },
  );
}

async function teardownSharedTopology(): Promise<void> {
  await holder.eppE2eSharedStart;
  const topology = holder.eppE2eSharedTopology;
  holder.eppE2eSharedTopology = undefined;
  const record = process.env[SHARED_FILE];
  delete process.env[SHARED_FILE];
  await topology?.stop();
  // The record only told this run's files where the topology was; its logs stay in the topology's own folder.
  if (record) rmSync(record, { force: true });
}
/**
 * Jest globalSetup of the e2e project. On kind, one cluster serves every scenario file of the run: it is
 * created here (or reused when asked), each file then brings its own namespace up and down in it, and the
 * teardown below deletes the cluster if this run created it. On local, when the run shares (epp-e2e run, make
 * e2e): the control plane of its topologies, and the topology its files share.
 */
export async function setupRun(): Promise<void> {
  const opts = runOptions();
  holder.eppE2eRunOptions = opts;
  if (opts.topology !== 'kind') {
    setupSharedControlPlane(opts);
    return setupSharedTopology(opts);
  }
  const deps = await realKindDeps(opts, progress);
  mkdirSync(opts.runsRoot, { recursive: true });
  const { created } = await acquireCluster(opts, deps, progress, join(opts.runsRoot, 'kind-run-kubeconfig'));
  holder.eppE2eClusterCreated = created;
  // The scenario files reuse, and do not delete, the cluster this setup holds: their options say so.
  const file = process.env[OPTIONS_FILE_ENV] as string;
  writeRunOptions(dirname(file), { ...opts, kind: { ...opts.kind, reuseCluster: true } });
}

export async function teardownRun(): Promise<void> {
  // The topologies first: the control plane is theirs.
  await teardownSharedTopology();
  await teardownSharedControlPlane();
  const opts = holder.eppE2eRunOptions;
  if (!opts || opts.topology !== 'kind' || !holder.eppE2eClusterCreated) return;
  if (opts.kind.keepCluster) {
    progress(
      `keeping cluster ${opts.kind.clusterName}; delete it with: kind delete cluster --name ${opts.kind.clusterName}`,
    );
    return;
  }
  progress(`deleting kind cluster ${opts.kind.clusterName}`);
  await (await realKindDeps(opts, progress)).kind.deleteCluster(opts.kind.clusterName);
}
