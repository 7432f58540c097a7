import { jestArgs, scenarioEnv, scenarioNames, scenarioWorkers, sharesTopology } from './run-scenarios';

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

  it('runs local scenario files side by side, one per core up to 3, and kind ones in turn', () => {
    expect(jestArgs(['smoke'], ['smoke'], 2).slice(-1)).toEqual(['--maxWorkers=2']);
    expect([1, 2, 8].map((cores) => scenarioWorkers('local', cores))).toEqual([1, 2, 3]);
    expect(scenarioWorkers('kind', 8)).toBe(1);
  });

  it('refuses an unknown scenario, listing the known ones', () => {
    expect(() => jestArgs(['smok'], ['smoke', 'sampling'])).toThrow(
      'unknown scenario "smok"; scenarios: smoke, sampling',
    );
  });

  it('hands the scenarios the options file, not the options one variable at a time', () => {
    const env = scenarioEnv('/runs/run-1/options.json');
    expect(env).toEqual({
      EPP_E2E_OPTIONS_FILE: '/runs/run-1/options.json',
      EPP_E2E_SHARE_TOPOLOGY: '1',
      JEST_JUNIT_OUTPUT_NAME: 'junit-e2e.xml',
    });
  });

  it('shares a topology only among two or more files: one file alone starts what it needs, nothing more', () => {
    expect(sharesTopology([])).toBe(true);
    expect(sharesTopology(['smoke', 'propagation'])).toBe(true);
    expect(sharesTopology(['cli-lifecycle'])).toBe(false);
    expect(scenarioEnv('/runs/run-1/options.json', false)).not.toHaveProperty('EPP_E2E_SHARE_TOPOLOGY');
  });
});
