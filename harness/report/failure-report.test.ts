import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoints, Topology } from '../topology/types';
import { withFailureReport } from './failure-report';

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

  it('passes results through untouched when the scenario passes', async () => {
    await expect(withFailureReport('ok', topology, async () => 42)).resolves.toBe(42);
  });

  it('on failure writes traces, trees and logs, and says where they are', async () => {
    const failing = withFailureReport('propagation: client trace', topology, async (e) => {
      e.trace({
        label: 'client trace',
        raw: { spans: [{ startNs: 12n }] },
        tree: 'envoy ingress\n  llm_request',
        jaegerLink: 'http://j/trace/abc',
      });
      throw new Error('expected llm_request to be a child of gateway.request');
    });
    const err = await failing.catch((x: Error) => x);
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
    expect(JSON.parse(readFileSync(join(folder, 'trace-1-client-trace.json'), 'utf8'))).toEqual({
      spans: [{ startNs: '12' }],
    });
    expect(readdirSync(join(folder, 'logs')).sort()).toEqual(['epp.log', 'etcd.log']);
  });
});
