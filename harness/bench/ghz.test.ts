import { requestPhase, responsePhase } from '../drivers/extproc/client';
import { extProcCodec } from '../drivers/extproc/proto';
import { benchCall, CANNED } from './exchange';
import { ghzArgs, ghzMessages, parseGhzReport } from './ghz';

describe('ghz input', () => {
  it('is the four messages Envoy sends, bytes as base64', () => {
    const msgs = JSON.parse(ghzMessages('m')) as Record<
      string,
      { headers?: { headers: { key: string; raw_value: string }[] }; body?: string; end_of_stream?: boolean }
    >[];
    expect(msgs.map((m) => Object.keys(m)[0])).toEqual([
      'request_headers',
      'request_body',
      'response_headers',
      'response_body',
    ]);
    const path = msgs[0].request_headers.headers!.headers.find((h) => h.key === ':path')!;
    expect(Buffer.from(path.raw_value, 'base64').toString()).toBe('/v1/completions');
    expect(JSON.parse(Buffer.from(msgs[1].request_body.body!, 'base64').toString())).toEqual({
      model: 'm',
      prompt: 'bench',
      max_tokens: 1,
    });
    expect(msgs[1].request_body.end_of_stream).toBe(true);
  });

  it('is byte for byte what the driver writes for the same exchange', () => {
    const codec = extProcCodec();
    // protobuf JSON (bytes as base64), as ghz reads it, against the driver's own messages
    const fromGhz = (JSON.parse(ghzMessages('m')) as Record<string, unknown>[]).map((m) => codec.encodeRequest(m));
    const driver = [...requestPhase(benchCall('m')), ...responsePhase(CANNED)].map((m) => codec.encodeRequest(m));
    expect(fromGhz.map((b) => Buffer.from(b).toString('hex'))).toEqual(
      driver.map((b) => Buffer.from(b).toString('hex')),
    );
  });

  it('reads throughput and p50/p99 (ns to ms) and refuses a run where a stream failed', () => {
    const report = (ok: number): string =>
      JSON.stringify({
        rps: 812.5,
        statusCodeDistribution: { OK: ok, Unavailable: 400 - ok },
        latencyDistribution: [
          { percentage: 50, latency: 1234567 },
          { percentage: 99, latency: 9870000 },
        ],
      });
    expect(parseGhzReport(report(400), 400)).toEqual({ rps: 812.5, latencyMs: { p50: 1.23, p99: 9.87 } });
    expect(() => parseGhzReport(report(399), 400)).toThrow('ghz: only 399 of 400 streams ended OK');
  });

  it('calls the Process stream with n and c', () => {
    const args = ghzArgs('127.0.0.1:9002', '/d.json', 400, 8);
    expect(args).toEqual(
      expect.arrayContaining([
        '--call',
        'envoy.service.ext_proc.v3.ExternalProcessor.Process',
        '-n',
        '400',
        '-c',
        '8',
        '--connections',
        '1',
        '127.0.0.1:9002',
      ]),
    );
  });
});
