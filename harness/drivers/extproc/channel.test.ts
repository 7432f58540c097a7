import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { extProcChannel, prepareCall, processThroughEpp } from './client';
import { frameMessage, FrameReader } from './grpc-wire';
import { loadExtProcRoot } from './proto';

const root = loadExtProcRoot();
const Request = root.lookupType('envoy.service.ext_proc.v3.ProcessingRequest');
const Response = root.lookupType('envoy.service.ext_proc.v3.ProcessingResponse');
const frame = (m: Record<string, unknown>): Buffer => frameMessage(Response.encode(Response.fromObject(m)).finish());
const header = (key: string, v: string) => ({ header: { key, raw_value: Buffer.from(v) } });

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/** A stand-in EPP on 127.0.0.1 whose Process handler each test writes. */
async function fakeEpp(handler: Handler): Promise<{ target: string; close: () => Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

interface StreamEnd {
  /** The trailers the EPP ends with (default status OK). */
  trailers?: Record<string, string>;
  /** Held until this settles after the client's half-close, to show who waits for the status. */
  after?: Promise<void>;
}

/** Answers like the EPP in FULL_DUPLEX_STREAMED mode, recording what the client sent. */
function scheduling(seen: { kinds: string[]; headers?: http2.IncomingHttpHeaders }, end: StreamEnd = {}): Handler {
  return (stream, headers) => {
    seen.headers = headers;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    const reader = new FrameReader();
    const body: Buffer[] = [];
    const respBody: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      for (const bytes of reader.push(chunk)) {
        const m = Request.toObject(Request.decode(bytes), { oneofs: true }) as Record<string, { body?: Buffer }>;
        const kind = Object.keys(m).find((k) => k !== 'request')!;
        seen.kinds.push(kind);
        if (kind === 'request_body') {
          body.push(Buffer.from(m.request_body.body ?? []));
          if (!(m.request_body as { end_of_stream?: boolean }).end_of_stream) continue;
          stream.write(
            frame({
              request_headers: {
                response: {
                  header_mutation: { set_headers: [header('x-gateway-destination-endpoint', '10.0.0.7:8000')] },
                },
              },
            }),
          );
          stream.write(
            frame({
              request_body: {
                response: { body_mutation: { streamed_response: { body: Buffer.concat(body), end_of_stream: true } } },
              },
            }),
          );
        }
        if (kind === 'response_body') {
          respBody.push(Buffer.from(m.response_body.body ?? []));
          if (!(m.response_body as { end_of_stream?: boolean }).end_of_stream) continue;
          stream.write(
            frame({
              response_headers: { response: { header_mutation: { set_headers: [header('x-went-through', 'epp')] } } },
            }),
          );
          stream.write(
            frame({
              response_body: {
                response: {
                  body_mutation: { streamed_response: { body: Buffer.concat(respBody), end_of_stream: true } },
                },
              },
            }),
          );
        }
      }
    });
    stream.on('wantTrailers', () => stream.sendTrailers(end.trailers ?? { 'grpc-status': '0' }));
    // The EPP ends the stream when the client half-closes.
    stream.on('end', () => void (end.after ?? Promise.resolve()).then(() => stream.end()));
  };
}

describe('ext_proc driver over HTTP/2', () => {
  it('plays one exchange in Envoy order and reads the EPP decision, the bodies and an OK status', async () => {
    const seen: { kinds: string[]; headers?: http2.IncomingHttpHeaders } = { kinds: [] };
    const epp = await fakeEpp(scheduling(seen));
    const channel = extProcChannel(epp.target);
    try {
      const r = await processThroughEpp(channel, {
        body: { model: 'm', prompt: 'hello' },
        chunkSize: 4,
        upstream: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":1}' },
        grpcMetadata: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      });
      expect(r.destination).toBe('10.0.0.7:8000');
      expect(JSON.parse(r.mutatedRequestBody)).toEqual({ model: 'm', prompt: 'hello' });
      expect(r.responseHeaderMutation?.set).toEqual({ 'x-went-through': 'epp' });
      expect(r.mutatedResponseBody).toBe('{"ok":1}');
      expect(r.responses).toHaveLength(4);
      // headers, the body in 4-byte chunks, then (only after the decision) the response phase
      const n = Math.ceil('{"model":"m","prompt":"hello"}'.length / 4);
      const m = Math.ceil('{"ok":1}'.length / 4);
      expect(seen.kinds).toEqual([
        'request_headers',
        ...Array(n).fill('request_body'),
        'response_headers',
        ...Array(m).fill('response_body'),
      ]);
      expect(seen.headers?.['content-type']).toBe('application/grpc');
      expect(seen.headers?.te).toBe('trailers');
      expect(seen.headers?.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      // one connection carries many streams
      await processThroughEpp(channel, { body: 'x', upstream: { status: 200, headers: {}, body: '' } });
    } finally {
      channel.close();
      await epp.close();
    }
  });

  it("with doneAt 'response', is done at the last reply as Envoy is, and `closed` then reports the EPP's status", async () => {
    let release!: () => void;
    const after = new Promise<void>((resolve) => (release = resolve));
    const seen = { kinds: [] as string[] };
    const epp = await fakeEpp(scheduling(seen, { after }));
    const bad = await fakeEpp(scheduling({ kinds: [] }, { trailers: { 'grpc-status': '13', 'grpc-message': 'boom' } }));
    const call = { body: 'x', upstream: { status: 200, headers: {}, body: 'y' }, doneAt: 'response' as const };
    try {
      // The EPP holds its status until `release`: returning at all proves the call did not wait for it.
      const r = await processThroughEpp(epp.target, call);
      expect(r.mutatedResponseBody).toBe('y');
      let settled = false;
      void r.closed.then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      release();
      await r.closed;
      expect(settled).toBe(true);

      const failed = await processThroughEpp(bad.target, call);
      await expect(failed.closed).rejects.toThrow('13 INTERNAL: boom');
    } finally {
      release();
      await epp.close();
      await bad.close();
    }
  });

  it('puts the same messages on the wire for a prepared call (encoded once) as for the call itself', async () => {
    const plain = { kinds: [] as string[] };
    const once = { kinds: [] as string[] };
    const a = await fakeEpp(scheduling(plain));
    const b = await fakeEpp(scheduling(once));
    const call = {
      body: { model: 'm', prompt: 'hello' },
      chunkSize: 8,
      upstream: { status: 200, headers: {}, body: '{"ok":12345}' },
    };
    try {
      const prepared = prepareCall(call);
      const r1 = await processThroughEpp(a.target, call);
      const r2 = await processThroughEpp(b.target, prepared);
      const r3 = await processThroughEpp(b.target, prepared);
      expect(once.kinds).toEqual([...plain.kinds, ...plain.kinds]);
      for (const r of [r2, r3]) {
        expect(r.mutatedRequestBody).toBe(r1.mutatedRequestBody);
        expect(r.mutatedResponseBody).toBe(r1.mutatedResponseBody);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('names what it waited for when the EPP ends the stream with an error status (trailers only)', async () => {
    const epp = await fakeEpp((stream) => {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'no%20endpoints' },
        { endStream: true },
      );
    });
    try {
      await expect(processThroughEpp(epp.target, { body: 'x', upstream: 'forward' })).rejects.toThrow(
        'ext_proc: waiting for the response to the request headers, but the EPP ended the stream (14 UNAVAILABLE: no endpoints) (received 0 messages)',
      );
    } finally {
      await epp.close();
    }
  });

  it('gives up after timeoutMs and resets the stream', async () => {
    let serverSawClose!: () => void;
    const closed = new Promise<void>((resolve) => (serverSawClose = resolve));
    const epp = await fakeEpp((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.on('close', () => serverSawClose());
    });
    try {
      await expect(processThroughEpp(epp.target, { body: 'x', upstream: 'forward', timeoutMs: 50 })).rejects.toThrow(
        'ext_proc: waited 50 ms for the response to the request headers; nothing came (received 0 messages)',
      );
      await closed;
    } finally {
      await epp.close();
    }
  });

  it('reports a refused connection as the stream failing', async () => {
    const epp = await fakeEpp(() => undefined);
    const target = epp.target;
    await epp.close();
    await expect(processThroughEpp(target, { body: 'x', upstream: 'forward' })).rejects.toThrow(
      /waiting for the response to the request headers, but the stream failed: .*ECONNREFUSED/,
    );
  });
});
