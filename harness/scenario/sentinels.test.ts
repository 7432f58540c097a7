import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSilence, spanSources } from './sentinels';
import type { Endpoints } from '../topology/types';

const endpoints = (eppVersion: string): Endpoints =>
  ({
    topology: 'local',
    eppVersion,
    gateway: 'http://127.0.0.1:1',
    extProc: '127.0.0.1:2',
    models: [
      { name: 'mock-vllm-0', address: '127.0.0.2:3', url: 'http://127.0.0.2:3', model: 'm' },
      { name: 'mock-vllm-1', address: '127.0.0.3:3', url: 'http://127.0.0.3:3', model: 'm' },
    ],
    services: { epp: 'llm-d-epp', envoy: 'envoy-gateway', mockVllm: 'mock-vllm' },
  }) as unknown as Endpoints;

describe('span sources of a topology', () => {
  it('are Envoy, every mock and the EPP, each named by its service and its process', () => {
    expect(spanSources(endpoints('gie-v1.5.0')).map((s) => [s.service, s.component])).toEqual([
      ['envoy-gateway', 'envoy'],
      ['mock-vllm', 'mock-vllm-0'],
      ['mock-vllm', 'mock-vllm-1'],
      ['llm-d-epp', 'epp'],
    ]);
  });
});

describe('the silence report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinels-'));
  const log = join(dir, 'epp.log');
  writeFileSync(
    log,
    ['starting', 'init OTel trace exporter type=otlp', 'serving', 'traces export: connection refused', 'done'].join(
      '\n',
    ),
  );
  const verdict = {
    complete: false as const,
    arrivals: [],
    silent: [
      {
        service: 'llm-d-epp',
        component: 'epp',
        flushMs: 100,
        sentAt: new Date('2026-12-02T00:00:00.000Z'),
        why: 'its sentinel span (trace t) was not in Jaeger 5.0 s after it was sent',
      },
    ],
  };

  it('says which service exported nothing since when, whether Jaeger ever had it, and its log on exporting', () => {
    expect(describeSilence(verdict, { epp: log }, ['envoy-gateway'])).toBe(
      'trace incomplete: service llm-d-epp (epp) exported nothing since 2026-12-02T00:00:00.000Z: its sentinel span ' +
        '(trace t) was not in Jaeger 5.0 s after it was sent (its exporter flushes every 100 ms)\n' +
        '  Jaeger holds no span of llm-d-epp at all\n' +
        `  its log (${log}) on exporting, last 2 of 2 lines:\n` +
        '    init OTel trace exporter type=otlp\n' +
        '    traces export: connection refused',
    );
  });

  it('says so when there is no log to quote, or Jaeger had the service before', () => {
    expect(describeSilence(verdict, {}, ['llm-d-epp'])).toMatch(/since 2026\S+ .*\n {2}no log of epp to quote$/);
  });
});
