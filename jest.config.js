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
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/scenarios/**/*.e2e.ts'],
      setupFilesAfterEnv: ['<rootDir>/harness/scenario/jest-e2e-setup.ts'],
      // kind: one cluster for all scenario files of a run (local: no-ops).
      globalSetup: '<rootDir>/harness/scenario/jest-global-setup.ts',
      globalTeardown: '<rootDir>/harness/scenario/jest-global-teardown.ts',
    },
  ],
  reporters: ['default', ['jest-junit', { outputDirectory: 'reports', outputName: 'junit.xml' }]],
};
