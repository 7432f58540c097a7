import { bodyChunks, headerMutation, requestHeaders, streamedBody, structToJson } from './messages';
import { loadExtProcRoot } from './proto';

describe('ext_proc messages', () => {
  it('puts header values in raw_value, lower-cased, as Envoy does', () => {
    expect(requestHeaders({ 'Content-Type': 'application/json' })).toEqual({
      request_headers: {
        headers: { headers: [{ key: 'content-type', raw_value: Buffer.from('application/json') }] },
        end_of_stream: false,
      },
    });
  });

  it('chunks a body and marks only the last chunk end_of_stream', () => {
    const chunks = bodyChunks('request_body', Buffer.from('abcdefg'), 3);
    expect(chunks.map((c) => [c.request_body.body.toString(), c.request_body.end_of_stream])).toEqual([
      ['abc', false],
      ['def', false],
      ['g', true],
    ]);
    expect(bodyChunks('response_body', Buffer.alloc(0), 3)).toEqual([
      { response_body: { body: Buffer.alloc(0), end_of_stream: true } },
    ]);
  });

  it('reads set and removed headers from raw_value or value', () => {
    const resp = {
      request_headers: {
        response: {
          header_mutation: {
            set_headers: [
              { header: { key: 'X-Gateway-Destination-Endpoint', raw_value: Buffer.from('127.0.0.1:8000') } },
              { header: { key: 'traceparent', value: '00-a-b-01' } },
            ],
            remove_headers: ['Content-Length'],
          },
        },
      },
    };
    expect(headerMutation(resp)).toEqual({
      set: { 'x-gateway-destination-endpoint': '127.0.0.1:8000', traceparent: '00-a-b-01' },
      remove: ['content-length'],
    });
  });

  it('reads streamed body chunks', () => {
    const resp = {
      request_body: {
        response: { body_mutation: { streamed_response: { body: Buffer.from('{}'), end_of_stream: true } } },
      },
    };
    expect(streamedBody(resp, 'request_body')).toEqual({ body: Buffer.from('{}'), end: true });
    expect(streamedBody({ request_body: { response: {} } }, 'request_body')).toBeUndefined();
  });

  it('turns dynamic metadata (a Struct) into JSON', () => {
    const s = {
      fields: {
        'envoy.lb': { structValue: { fields: { k: { stringValue: 'v', kind: 'stringValue' } } }, kind: 'structValue' },
      },
    };
    expect(structToJson(s)).toEqual({ 'envoy.lb': { k: 'v' } });
  });

  it('knows BodyMutation.streamed_response, which the EPP answers bodies with', () => {
    const root = loadExtProcRoot();
    const BodyMutation = root.lookupType('envoy.service.ext_proc.v3.BodyMutation');
    const bytes = BodyMutation.encode(
      BodyMutation.fromObject({ streamed_response: { body: Buffer.from('x'), end_of_stream: true } }),
    ).finish();
    // field 3, length-delimited, holding field 1 (bytes "x") and field 2 (true)
    expect(Buffer.from(bytes).toString('hex')).toBe('1a050a01781001');
    expect(root.lookupService('envoy.service.ext_proc.v3.ExternalProcessor').methods.Process.requestStream).toBe(true);
  });
});
