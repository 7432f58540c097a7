import { XMLParser } from 'fast-xml-parser';

/** A test's outcome in a JUnit file; `skipped` is a test that did not run (jest-junit's `<skipped/>`). */
export type Outcome = 'passed' | 'failed' | 'skipped';

interface TestCase {
  '@_classname'?: string;
  '@_name'?: string;
  failure?: unknown;
  error?: unknown;
  skipped?: unknown;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  // Every suite and case as a list, also when a file has only one.
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

/** Test outcomes from a jest-junit file, keyed `<suite> › <test>`; read with an XML parser (entities, CDATA). */
export function parseJunit(xml: string): Record<string, Outcome> {
  const doc = parser.parse(xml) as { testsuites?: { testsuite?: { testcase?: TestCase[] }[] } };
  const out: Record<string, Outcome> = {};
  for (const suite of doc.testsuites?.testsuite ?? []) {
    for (const c of suite.testcase ?? []) {
      const name = c['@_name'] ?? '';
      const classname = c['@_classname'];
      // jest-junit's default classname repeats the title; a key names a test once.
      const key = classname && classname !== name ? `${classname} › ${name}` : name;
      out[key] =
        c.failure !== undefined || c.error !== undefined ? 'failed' : c.skipped !== undefined ? 'skipped' : 'passed';
    }
  }
  return out;
}
