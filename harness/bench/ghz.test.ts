import { ghzArgs, ghzMessages } from './ghz';

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
        '127.0.0.1:9002',
      ]),
    );
  });
});
