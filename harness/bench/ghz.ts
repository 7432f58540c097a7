import { dirname, join } from 'node:path';
import { bodyChunks, requestHeaders, responseHeaders, type ProcessingRequest } from '../drivers/extproc/messages';
import { exec } from '../runtime/exec';

/** The four messages of one request/response exchange, in the protobuf JSON ghz sends (bytes as base64). */
export function ghzMessages(model: string): string {
  const msgs: ProcessingRequest[] = [
    requestHeaders({
      ':method': 'POST',
      ':path': '/v1/completions',
      ':authority': 'ghz',
      ':scheme': 'http',
      'content-type': 'application/json',
    }),
    ...bodyChunks('request_body', Buffer.from(JSON.stringify({ model, prompt: 'bench', max_tokens: 1 })), 64 * 1024),
    responseHeaders({ ':status': '200', 'content-type': 'application/json' }),
    ...bodyChunks('response_body', Buffer.from('{"choices":[]}'), 64 * 1024),
  ];
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
    '--data-file',
    dataFile,
    '-O',
    'json',
    target,
  ];
}

export async function ghzRps(
  ghz: string,
  target: string,
  dataFile: string,
  total: number,
  concurrency: number,
): Promise<number> {
  const out = await exec(ghz, ghzArgs(target, dataFile, total, concurrency), { timeoutMs: 120000 });
  const report = JSON.parse(out) as { rps: number; statusCodeDistribution?: Record<string, number> };
  const ok = report.statusCodeDistribution?.OK ?? 0;
  if (ok !== total)
    throw new Error(`ghz: only ${ok} of ${total} streams ended OK: ${JSON.stringify(report.statusCodeDistribution)}`);
  return report.rps;
}
