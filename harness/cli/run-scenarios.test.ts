import { resolveRunOptions } from '../config/run-options';
import { jestArgs, scenarioEnv, scenarioNames } from './run-scenarios';

describe('epp-e2e run', () => {
  it('knows the scenarios by file name', () => {
    expect(scenarioNames()).toEqual(
      expect.arrayContaining(['smoke', 'propagation', 'sampling', 'contract', 'exporter-faults']),
    );
  });

  it('selects scenarios for jest, patterns before the variadic --selectProjects', () => {
    expect(jestArgs(['smoke', 'sampling'], ['smoke', 'sampling'])).toEqual([
      'scenarios/smoke\\.e2e\\.ts$',
      'scenarios/sampling\\.e2e\\.ts$',
      '--selectProjects',
      'e2e',
      '--runInBand',
    ]);
  });

  it('refuses an unknown scenario, listing the known ones', () => {
    expect(() => jestArgs(['smok'], ['smoke', 'sampling'])).toThrow(
      'unknown scenario "smok"; scenarios: smoke, sampling',
    );
  });

  it('hands the options to the scenarios through EPP_E2E_*', () => {
    const opts = resolveRunOptions({ faults: ['mock-vllm:drop-traceparent'], eppVersion: 'gie-v1.4.0' }, {});
    expect(scenarioEnv(opts)).toMatchObject({
      EPP_E2E_TOPOLOGY: 'local',
      EPP_E2E_EPP_VERSION: 'gie-v1.4.0',
      EPP_E2E_FAULTS: 'mock-vllm:drop-traceparent',
    });
  });
});
