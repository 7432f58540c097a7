import { fileTimes } from './suite-files';

describe('per-file times from JUnit', () => {
  it('maps each suite to its file (jest-junit file attribute), slowest first', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="60">
  <testsuite name="smoke" errors="0" failures="0" skipped="0" time="21.9" tests="2">
    <testcase classname="smoke a" name="smoke a" time="1" file="/repo/scenarios/smoke.e2e.ts"></testcase>
    <testcase classname="smoke b" name="smoke b" time="1" file="/repo/scenarios/smoke.e2e.ts"></testcase>
  </testsuite>
  <testsuite name="propagation &amp; more" errors="0" failures="1" skipped="0" time="38.5" tests="1">
    <testcase classname="p" name="p" time="30" file="/repo/scenarios/propagation.e2e.ts"><failure>x</failure></testcase>
  </testsuite>
  <testsuite name="broken" errors="1" failures="0" skipped="0" time="0.2" tests="0"></testsuite>
</testsuites>`;
    expect(fileTimes(xml)).toEqual([
      { file: 'propagation.e2e.ts', seconds: 38.5, tests: 1, failures: 1 },
      { file: 'smoke.e2e.ts', seconds: 21.9, tests: 2, failures: 0 },
      { file: 'broken', seconds: 0.2, tests: 0, failures: 1 },
    ]);
  });
});
