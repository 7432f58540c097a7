import { resolveRunOptions, type RawOptions, type RunOptions } from '../config/run-options';
import { startTopology } from '../topology/start';
import type { Topology } from '../topology/types';
import { JaegerClient } from '../traces/jaeger-client';
import { installTraceMatchers } from '../traces/jest-matchers';

export interface ScenarioEnv {
  topology: Topology;
  jaeger: JaegerClient;
  options: RunOptions;
}

const progress = (m: string): void => {
  process.stderr.write(`[epp-e2e] ${m}\n`);
};

/**
 * Starts one topology for the scenarios of a file (beforeAll) and stops it (afterAll), also when a test fails.
 * The run options come from the environment (EPP_E2E_*, as `make e2e` sets them) with the file's overrides.
 */
export function useTopology(overrides: RawOptions = {}): () => ScenarioEnv {
  let env: ScenarioEnv | undefined;
  installTraceMatchers();
  beforeAll(async () => {
    const options = resolveRunOptions(overrides);
    const topology = await startTopology(options, progress);
    env = { topology, options, jaeger: new JaegerClient(topology.endpoints.jaegerQuery, topology.endpoints.jaegerUi) };
  });
  afterAll(async () => {
    await env?.topology.stop();
  });
  return () => {
    if (!env) throw new Error('the topology did not start (see the beforeAll error above)');
    return env;
  };
}
