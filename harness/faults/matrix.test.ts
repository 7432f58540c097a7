import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultCatalog, parseFaultSpec } from './catalog';
import {
  firstLine,
  judgeFault,
  judgeOwner,
  renderMatrixMarkdown,
  renderMatrixText,
  selectFaults,
  unknownOwners,
  type FaultRun,
} from './matrix';
import { outcomesFromJestJson, runFaultMatrix } from './run-matrix';
import { scenarioNames } from '../cli/run-scenarios';
import type { FaultSwitch } from './types';

const fault: FaultSwitch = {
  component: 'mock-vllm',
  name: 'http-500',
  description: 'answer 500',
  owners: [
    { scenario: 'smoke', says: /answered HTTP 500 from mock-vllm-\d/ },
    { scenario: 'attributes', says: /status 500/ },
  ],
};

const run = (scenarios: FaultRun['scenarios']): FaultRun => ({ scenarios, seconds: 12.34, log: '/tmp/x.log' });
const smokeCaught = {
  scenario: 'smoke',
  failed: true,
  failures: ['Error: the gateway answered HTTP 500 from mock-vllm-1 (127.0.0.3:8000)\n    at smoke.e2e.ts:10'],
};

describe('judging one owner', () => {
  it('caught: the scenario failed saying what it promised; the first line is kept', () => {
    expect(judgeOwner(fault.owners[0], run([smokeCaught]))).toEqual({
      scenario: 'smoke',
      caught: true,
      message: 'the gateway answered HTTP 500 from mock-vllm-1 (127.0.0.3:8000)',
    });
  });

  it('caught on a later line: the first line and the line that says it', () => {
    const v = judgeOwner(
      { scenario: 'smoke', says: /last reason: no span of service mock-vllm yet/ },
      run([
        {
          scenario: 'smoke',
          failed: true,
          failures: ['Error: timed out after 20.0s\nlast reason: no span of service mock-vllm yet (x)'],
        },
      ]),
    );
    expect(v.message).toBe('timed out after 20.0s ... last reason: no span of service mock-vllm yet (x)');
  });

  it('a promise spanning lines shows each of its lines the first line does not already have', () => {
    const v = judgeOwner(
      { scenario: 'smoke', says: /timed out after .*\nlast reason: no span/ },
      run([
        {
          scenario: 'smoke',
          failed: true,
          failures: ['WaitTimeoutError: timed out after 20.0s\nlast reason: no span yet'],
        },
      ]),
    );
    expect(v.message).toBe('timed out after 20.0s ... last reason: no span yet');
  });

  it("an owner's ^ anchors at the message itself, after the error's class name jest puts before it", () => {
    const v = judgeOwner(
      { scenario: 'smoke', says: /^trace complete; no span of service mock-vllm\b/ },
      run([
        {
          scenario: 'smoke',
          failed: true,
          failures: ['TraceAbsentError: trace complete; no span of service mock-vllm (the trace has spans of: envoy)'],
        },
      ]),
    );
    expect(v).toEqual({
      scenario: 'smoke',
      caught: true,
      message: 'trace complete; no span of service mock-vllm (the trace has spans of: envoy)',
    });
  });

  it('missed: passed with the fault on', () => {
    expect(judgeOwner(fault.owners[0], run([{ scenario: 'smoke', failed: false, failures: [] }]))).toEqual({
      scenario: 'smoke',
      caught: false,
      message: 'scenario smoke passed with the fault on',
    });
  });

  it('missed: failed for another reason (its message does not name the fault)', () => {
    const v = judgeOwner(
      fault.owners[0],
      run([{ scenario: 'smoke', failed: true, failures: ['\u001b[31mError: the topology did not start\u001b[39m'] }]),
    );
    expect(v).toEqual({
      scenario: 'smoke',
      caught: false,
      message:
        'scenario smoke failed, but not saying /answered HTTP 500 from mock-vllm-\\d/: the topology did not start',
    });
  });

  it('missed: the scenario did not run', () => {
    expect(judgeOwner(fault.owners[0], run([])).message).toBe('scenario smoke did not run (see /tmp/x.log)');
  });
});

describe('judging a fault', () => {
  it('is caught only when every owner catches it', () => {
    const half = judgeFault(fault, run([smokeCaught, { scenario: 'attributes', failed: false, failures: [] }]));
    expect(half.caught).toBe(false);
    expect(half.verdicts.map((v) => v.caught)).toEqual([true, false]);
    const both = judgeFault(
      fault,
      run([smokeCaught, { scenario: 'attributes', failed: true, failures: ['Error: status 500'] }]),
    );
    expect(both).toMatchObject({ fault: 'mock-vllm:http-500', owners: ['smoke', 'attributes'], caught: true });
  });

  it('a fault nobody owns is missed', () => {
    const row = judgeFault({ ...fault, owners: [] }, run([]));
    expect(row.caught).toBe(false);
    expect(row.verdicts[0].message).toBe('no scenario owns this fault');
  });
});

describe('the table', () => {
  const rows = [
    judgeFault(fault, run([smokeCaught, { scenario: 'attributes', failed: true, failures: ['Error: status 500'] }])),
    judgeFault({ ...fault, name: 'no-spans' }, run([{ scenario: 'smoke', failed: false, failures: [] }])),
  ];

  it('prints each fault, its owners, caught or MISSED, seconds and messages, and names the missed ones', () => {
    const text = renderMatrixText(rows);
    expect(text.split('\n')[0]).toMatch(/^FAULT\s+OWNER\(S\)\s+RESULT\s+SECONDS\s+FIRST LINE OF THE FAILURE$/);
    expect(text).toMatch(/^mock-vllm:http-500\s+smoke, attributes\s+caught\s+12\.3\s+smoke: the gateway answered/m);
    expect(text).toMatch(/^\s+attributes: status 500$/m);
    expect(text).toMatch(/^mock-vllm:no-spans\s+smoke, attributes\s+MISSED\s+12\.3\s+smoke: scenario smoke passed/m);
    expect(text.split('\n').at(-1)).toBe('1 of 2 fault switches MISSED: mock-vllm:no-spans');
    expect(renderMatrixText(rows.slice(0, 1)).split('\n').at(-1)).toBe('all 1 fault switches caught');
  });

  it('as Markdown', () => {
    const md = renderMatrixMarkdown(rows);
    expect(md).toContain('| `mock-vllm:no-spans` | smoke, attributes | **MISSED** | 12.3 |');
    expect(md).toContain('MISSED: mock-vllm:no-spans');
  });

  it('first lines lose colours and the Error prefix', () => {
    expect(firstLine('\n\u001b[1mError: boom\u001b[22m\n  at x')).toBe('boom');
  });
});

describe('the runs', () => {
  it('reads jest --json: failed files with their failure messages, or the suite message when no test ran', () => {
    const outcomes = outcomesFromJestJson({
      testResults: [
        {
          name: '/repo/scenarios/smoke.e2e.ts',
          status: 'failed',
          message: 'summary',
          assertionResults: [
            { status: 'passed', failureMessages: [] },
            { status: 'failed', failureMessages: ['Error: one'] },
          ],
        },
        {
          name: '/repo/scenarios/kv-events.e2e.ts',
          status: 'failed',
          message: 'Test suite failed to run',
          assertionResults: [],
        },
        { name: '/repo/scenarios/contract.e2e.ts', status: 'passed', message: '', assertionResults: [] },
      ],
    });
    expect(outcomes).toEqual([
      { scenario: 'smoke', failed: true, failures: ['Error: one'] },
      { scenario: 'kv-events', failed: true, failures: ['Test suite failed to run'] },
      { scenario: 'contract', failed: false, failures: [] },
    ]);
  });

  it('the outcome reporter writes strings only (jest --json throws on a BigInt in a failure), read back as outcomes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'outcome-')), 'o.json');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reporter is plain JS, loaded by jest
    const Reporter = require('./outcome-reporter.js') as new () => { onRunComplete(c: unknown, r: unknown): void };
    const saved = process.env.EPP_E2E_OUTCOME_FILE;
    process.env.EPP_E2E_OUTCOME_FILE = file;
    try {
      new Reporter().onRunComplete(new Set(), {
        testResults: [
          {
            testFilePath: '/r/scenarios/smoke.e2e.ts',
            numFailingTests: 1,
            failureMessage: 'summary',
            testResults: [{ status: 'failed', failureMessages: ['Error: x'], failureDetails: [{ last: 1n }] }],
          },
          {
            testFilePath: '/r/scenarios/kv-events.e2e.ts',
            numFailingTests: 0,
            testExecError: { message: 'the topology did not start' },
            testResults: [],
          },
        ],
      });
    } finally {
      if (saved === undefined) delete process.env.EPP_E2E_OUTCOME_FILE;
      else process.env.EPP_E2E_OUTCOME_FILE = saved;
    }
    expect(outcomesFromJestJson(JSON.parse(readFileSync(file, 'utf8')))).toEqual([
      { scenario: 'smoke', failed: true, failures: ['Error: x'] },
      { scenario: 'kv-events', failed: true, failures: ['the topology did not start'] },
    ]);
  });

  it('runs every selected fault in turn and judges each', async () => {
    const seen: string[] = [];
    const rows = await runFaultMatrix(
      {} as never,
      [fault, { ...fault, name: 'no-spans', owners: [fault.owners[0]] }],
      '/tmp',
      () => undefined,
      async (f) => {
        seen.push(f.name);
        return run(f.name === 'http-500' ? [smokeCaught] : [{ scenario: 'smoke', failed: false, failures: [] }]);
      },
    );
    expect(seen).toEqual(['http-500', 'no-spans']);
    expect(rows.map((r) => [r.fault, r.caught])).toEqual([
      ['mock-vllm:http-500', false],
      ['mock-vllm:no-spans', false],
    ]);
  });
});

describe('the catalog', () => {
  const catalog = faultCatalog();

  it('has every switch of every component, each owned by scenarios that exist', () => {
    expect(catalog.map((f) => `${f.component}:${f.name}`)).toEqual(
      expect.arrayContaining([
        'mock-vllm:http-500',
        'mock-vllm:wrong-kv-topic',
        'envoy:no-tracing',
        'epp:wrong-exporter',
      ]),
    );
    for (const f of catalog)
      expect({ fault: f.name, owners: f.owners.length > 0 }).toEqual({ fault: f.name, owners: true });
    expect(unknownOwners(catalog, scenarioNames())).toEqual([]);
    expect(unknownOwners(catalog, ['smoke'])).toContain('mock-vllm:wrong-kv-topic -> kv-events');
  });

  it('selects by component:fault, and refuses a name it does not have', () => {
    expect(selectFaults(catalog, ['envoy:no-tracing']).map((f) => f.name)).toEqual(['no-tracing']);
    expect(selectFaults(catalog, [])).toHaveLength(catalog.length);
    expect(() => selectFaults(catalog, ['envoy:nope'])).toThrow(
      /^unknown fault envoy:nope; faults: mock-vllm:drop-traceparent, /,
    );
  });

  it('parses --fault specs', () => {
    expect(parseFaultSpec('epp:wrong-exporter')).toEqual({ component: 'epp', fault: 'wrong-exporter' });
    expect(() => parseFaultSpec('epp')).toThrow('--fault takes COMPONENT:FAULT');
    expect(() => parseFaultSpec('epp:x')).toThrow('unknown epp fault "x"; valid: wrong-exporter');
  });
});
