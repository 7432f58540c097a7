import { XMLParser } from 'fast-xml-parser';
import { basename } from 'node:path';

/** The environment that makes jest-junit name each test case's file, which is how suites map to files. */
export const JUNIT_FILE_ATTRIBUTE_ENV = { JEST_JUNIT_ADD_FILE_ATTRIBUTE: 'true' };

export interface FileTime {
  file: string;
  /** jest's wall time for the file: its topology start or share, every test, its teardown. */
  seconds: number;
  tests: number;
  failures: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

/** Each scenario file's wall time from a jest-junit report written with JUNIT_FILE_ATTRIBUTE_ENV, slowest first. */
export function fileTimes(xml: string): FileTime[] {
  const doc = parser.parse(xml) as {
    testsuites?: {
      testsuite?: {
        '@_name'?: string;
        '@_time'?: string;
        '@_tests'?: string;
        '@_failures'?: string;
        '@_errors'?: string;
        testcase?: { '@_file'?: string }[];
      }[];
    };
  };
  return (doc.testsuites?.testsuite ?? [])
    .map((s) => {
      const file = s.testcase?.find((c) => c['@_file'])?.['@_file'];
      return {
        // A file whose suite has no test case (it failed to load) still shows, by its suite name.
        file: file ? basename(file) : (s['@_name'] ?? '?'),
        seconds: Number(s['@_time'] ?? 0),
        tests: Number(s['@_tests'] ?? 0),
        failures: Number(s['@_failures'] ?? 0) + Number(s['@_errors'] ?? 0),
      };
    })
    .sort((a, b) => b.seconds - a.seconds);
}
