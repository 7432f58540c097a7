import { dirname, join } from 'node:path';
import { requestPhase, responsePhase } from '../drivers/extproc/client';
import type { ProcessingRequest } from '../drivers/extproc/messages';
import { exec } from '../runtime/exec';
import { benchCall, CANNED } from './exchange';

/**
 * The messages of the bench's exchange, exactly those the driver writes (same builders), in the protobuf JSON
 * ghz sends (bytes as base64). ghz writes them all and half-closes without waiting for the EPP, where the driver
 * waits for the decision before the response phase, as Envoy does; the bench report says so.
 */
export function ghzMessages(model: string): string {
  const msgs: ProcessingRequest[] = [...requestPhase(benchCall(model)), ...responsePhase(CANNED)];
  return JSON.stringify(msgs, (_k, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
      ? Buffer.from((v as { data: number[] }).data).toString('base64')
      : v,
  );
}

/** ghz's arguments for the ext_proc Process stream, with the .proto files of @grpc/grpc-js-xds. */
export function ghzArgs(target: string, dataFile: string, total: number, concurrency: number): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return [
    '--insecure',
    '--proto',
    'envoy/service/ext_proc/v3/external_processor.proto',
    '--import-paths',
    ['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => join(deps, d)).join(','),
    '--call',
    'envoy.service.ext_proc.v3.ExternalProcessor.Process',
    '-n',
    String(total),
    '-c',
    String(concurrency),
    // Said, not assumed: one HTTP/2 connection, as the driver's one ExtProcChannel.
    '--connections',
    '1',
    '--data-file',
    dataFile,
    '-O',
    'json',
    target,
  ];
}

export interface GhzResult {
  rps: number;
  latencyMs: { p50: number; p99: number };
}

/** ghz's JSON report: throughput, and latency percentiles in nanoseconds; every stream must have ended OK. */
export function parseGhzReport(out: string, total: number): GhzResult {
  const report = JSON.parse(out) as {
    rps: number;
    statusCodeDistribution?: Record<string, number>;
    latencyDistribution?: { percentage: number; latency: number }[] | null;
  };
  const ok = report.statusCodeDistribution?.OK ?? 0;
  if (ok !== total)
    throw new Error(`ghz: only ${ok} of ${total} streams ended OK: ${JSON.stringify(report.statusCodeDistribution)}`);
  const at = (p: number): number => {
    const d = report.latencyDistribution?.find((l) => l.percentage === p);
    if (!d) throw new Error(`ghz: no p${p} in its latency distribution`);
    return Math.round(d.latency / 1e4) / 100;
  };
  return { rps: report.rps, latencyMs: { p50: at(50), p99: at(99) } };
}

/** One ghz run: `total` Process streams over `concurrency` workers on ghz's default single connection. */
export async function ghzRun(
  ghz: string,
  target: string,
  dataFile: string,
  total: number,
  concurrency: number,
): Promise<GhzResult> {
  const out = await exec(ghz, ghzArgs(target, dataFile, total, concurrency), { timeoutMs: 120000 });
  return parseGhzReport(out, total);
}
