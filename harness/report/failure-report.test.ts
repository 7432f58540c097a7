import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoints, Topology } from '../topology/types';
import { attachFailureReport, Evidence } from './failure-report';
import E2eEnvironment, { fullTestName } from './e2e-environment';
import { REPORT_SLOT } from './test-evidence';
import type { Circus } from '@jest/types';

function fakeTopology(runDir: string, logs: Record<string, string>): Topology {
  return {
    name: 'local',
    endpoints: { runDir } as Endpoints,
    capabilities: new Set(),
    collectLogs: async () => logs,
    stop: async () => undefined,
  };
}

describe('failure report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epp-e2e-report-'));
  const eppLog = join(dir, 'epp.log');
  const etcdLog = join(dir, 'etcd.log');
  writeFileSync(eppLog, Array.from({ length: 20 }, (_, i) => `epp line ${i}`).join('\n'));
  writeFileSync(etcdLog, 'etcd line');
  const topology = fakeTopology(dir, { epp: eppLog, etcd: etcdLog });

  it('on failure writes traces, trees and logs, and says where they are', async () => {
    const e = new Evidence();
    e.trace({
      label: 'client trace',
      raw: { spans: [{ startNs: 12n }] },
      tree: 'envoy ingress\n  llm_request',
      jaegerLink: 'http://j/trace/abc',
    });
    const err = new Error('expected llm_request to be a child of gateway.request');
    await attachFailureReport('propagation: client trace', topology, e, err);
    const folder = join(dir, 'failures', 'propagation-client-trace');
    expect(err.message).toContain('expected llm_request to be a child of gateway.request');
    expect(err.message).toContain(`artifacts: ${folder}`);
    expect(err.stack).toContain(`artifacts: ${folder}`);
    expect(err.message).toContain('jaeger: client trace: http://j/trace/abc');
    expect(err.message).toContain('--- epp (last 6 lines');
    expect(err.message).toContain('epp line 19');
    expect(err.message).not.toContain('epp line 13');
    expect(err.message).not.toContain('etcd line'); // only the components a trace failure is about
    expect(readdirSync(folder).sort()).toEqual(['error.txt', 'logs', 'trace-1-client-trace.json', 'trees.txt']);
    expect(readFileSync(join(folder, 'trees.txt'), 'utf8')).toContain('envoy ingress\n  llm_request');
    expect(JSON.parse(readFileSync(join(folder, 'trace-1-client-trace.json'), 'utf8'))).toEqual({
      spans: [{ startNs: '12' }],
    });
    expect(readdirSync(join(folder, 'logs')).sort()).toEqual(['epp.log', 'etcd.log']);
  });

  it("the e2e environment reports every failing test, named as jest names it, with that test's evidence", async () => {
    const env = new E2eEnvironment(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      { globalConfig: {}, projectConfig: { testEnvironmentOptions: {} } } as any,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      { console, docblockPragmas: {}, testPath: __filename } as any,
    );
    const root = { name: 'ROOT_DESCRIBE_BLOCK', parent: undefined } as Circus.DescribeBlock;
    const test = { name: 'one request', parent: { name: 'smoke', parent: root } } as Circus.TestEntry;
    expect(fullTestName(test)).toBe('smoke › one request');
    const slot = { topology, evidence: new Evidence() };
    (env.global as unknown as Record<string, unknown>)[REPORT_SLOT] = slot;
    await env.handleTestEvent({ name: 'test_start', test } as Circus.Event);
    expect(slot.evidence).toBeUndefined(); // each test starts with none
    const error = new Error('planted');
    await env.handleTestEvent({ name: 'test_fn_failure', test, error } as unknown as Circus.Event);
    expect(error.message).toContain(`artifacts: ${join(dir, 'failures', 'smoke-one-request')}`);
    expect(error.message).toContain('--- epp (last 6 lines');
  });
});
