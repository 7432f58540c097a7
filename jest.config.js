// Two projects: fast unit tests beside the code, and e2e scenarios that bring up real processes.
/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/harness/**/*.test.ts', '<rootDir>/bin/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      // node's, plus the failure report (trees, Jaeger links, artifacts, log tails) for every failing test.
      testEnvironment: '<rootDir>/harness/report/e2e-environment.ts',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/scenarios/**/*.e2e.ts'],
      setupFilesAfterEnv: ['<rootDir>/harness/scenario/jest-e2e-setup.ts'],
      // kind: one cluster for all scenario files of a run (local: no-ops).
      globalSetup: '<rootDir>/harness/scenario/jest-global-setup.ts',
      globalTeardown: '<rootDir>/harness/scenario/jest-global-teardown.ts',
    },
  ],
  // A global option (not per project): long and short scenario files alternate, so that two heavy start-ups do not
  // begin together (see the file); the unit tests are all short, the order changes nothing for them.
  testSequencer: '<rootDir>/harness/scenario/test-sequencer.js',
  // JEST_JUNIT_OUTPUT_NAME picks the file: junit-unit.xml (make unit) or junit-e2e.xml (epp-e2e run / make e2e). Each
  // e2e suite carries the run's topology and EPP version as properties (junit-suite-properties.js).
  reporters: [
    'default',
    [
      'jest-junit',
      {
        outputDirectory: 'reports',
        outputName: 'junit.xml',
        testSuitePropertiesFile: 'junit-suite-properties.js',
        testSuitePropertiesDirectory: `${__dirname}/harness/report`,
      },
    ],
  ],
};
