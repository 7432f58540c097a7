import * as grpc from '@grpc/grpc-js';
import { http } from '../../runtime/http';
import {
  bodyChunks,
  headerMutation,
  requestHeaders,
  responseHeaders,
  streamedBody,
  structToJson,
  type ProcessingRequest,
  type ProcessingResponse,
} from './messages';
import { externalProcessorClient } from './proto';

export const DESTINATION_HEADER = 'x-gateway-destination-endpoint';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ExtProcCall {
  path?: string;
  /** HTTP request headers as the client sent them (e.g. traceparent, tracestate, baggage). */
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
  /** Envoy streams bodies in chunks; a small size exercises the EPP's reassembly. */
  chunkSize?: number;
  /**
   * After the EPP's decision: `forward` sends the mutated request to the endpoint it picked, as Envoy's router
   * would (so a trace can be made without Envoy), or a canned response is played back.
   */
  upstream: 'forward' | UpstreamResponse;
  /** gRPC metadata on the ext_proc stream itself (Envoy puts its client span's traceparent there). */
  grpcMetadata?: Record<string, string>;
  timeoutMs?: number;
}

export interface ExtProcResult {
  /** The endpoint the EPP picked (x-gateway-destination-endpoint), if it picked one. */
  destination?: string;
  requestHeaderMutation: { set: Record<string, string>; remove: string[] };
  dynamicMetadata?: unknown;
  mutatedRequestBody: string;
  immediateResponse?: { status: number; body: string; headers: Record<string, string> };
  upstreamResponse?: UpstreamResponse;
  responseHeaderMutation?: { set: Record<string, string>; remove: string[] };
  mutatedResponseBody?: string;
  /** Every message the EPP sent, in order, for failure reports. */
  responses: ProcessingResponse[];
}

/** Reads the EPP's responses one at a time, with a deadline and a message that says what was awaited. */
class Inbox {
  private readonly queue: ProcessingResponse[] = [];
  private waiter: (() => void) | undefined;
  private closed: Error | 'ended' | undefined;
  readonly all: ProcessingResponse[] = [];

  constructor(call: grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>) {
    call.on('data', (m: ProcessingResponse) => {
      this.queue.push(m);
      this.all.push(m);
      this.waiter?.();
    });
    call.on('end', () => {
      this.closed ??= 'ended';
      this.waiter?.();
    });
    call.on('error', (err: Error) => {
      this.closed ??= err;
      this.waiter?.();
    });
  }

  async next(what: string, timeoutMs: number): Promise<ProcessingResponse> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closed) {
        const why = this.closed === 'ended' ? 'the EPP ended the stream' : `the stream failed: ${this.closed.message}`;
        throw new Error(`ext_proc: waiting for ${what}, but ${why} (received ${this.all.length} messages)`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`ext_proc: no ${what} within ${timeoutMs} ms (received ${this.all.length} messages)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift()!;
  }

  async ended(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`ext_proc: the EPP did not close the stream within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    if (this.closed instanceof Error && (this.closed as grpc.ServiceError).code !== grpc.status.OK) throw this.closed;
  }
}

/** Forwards the request as Envoy's router would: mutated headers (no pseudo-headers), mutated body. */
async function forward(
  dest: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<UpstreamResponse> {
  const res = await http.post<string>(`http://${dest}${path}`, body, {
    headers: Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':') && k !== 'content-length')),
    timeout: 30000,
  });
  return {
    status: res.status,
    headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: res.data,
  };
}

/**
 * One request through the EPP exactly as Envoy sends it in FULL_DUPLEX_STREAMED mode: request headers, body
 * chunks, then (after the EPP's decision) response headers and body, and finally a half-close, which is what
 * ends the EPP's `gateway.request` span.
 */
/** One gRPC channel to the EPP that many calls can share, as Envoy multiplexes its ext_proc streams. */
export function extProcChannel(target: string): grpc.Client {
  const Client = externalProcessorClient();
  return new Client(target, grpc.credentials.createInsecure());
}

export async function processThroughEpp(target: string | grpc.Client, c: ExtProcCall): Promise<ExtProcResult> {
  const timeoutMs = c.timeoutMs ?? 10000;
  const path = c.path ?? '/v1/completions';
  const bodyText = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  const client = typeof target === 'string' ? extProcChannel(target) : target;
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(c.grpcMetadata ?? {})) metadata.set(k, v);
  const call = (
    client as unknown as {
      Process: (m: grpc.Metadata) => grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>;
    }
  ).Process(metadata);
  const inbox = new Inbox(call);
  try {
    const reqHeaders: Record<string, string> = {
      ':method': 'POST',
      ':path': path,
      ':authority': 'epp-e2e',
      ':scheme': 'http',
      'content-type': 'application/json',
      ...c.headers,
    };
    call.write(requestHeaders(reqHeaders));
    for (const chunk of bodyChunks('request_body', Buffer.from(bodyText), c.chunkSize ?? 64 * 1024)) call.write(chunk);

    // The EPP answers the headers only once it has the whole body and has scheduled (or refused) the request.
    const result: ExtProcResult = {
      requestHeaderMutation: { set: {}, remove: [] },
      mutatedRequestBody: '',
      responses: inbox.all,
    };
    const first = await inbox.next('the response to the request headers', timeoutMs);
    if (first.immediate_response) return await finishImmediate(first, result, call, inbox, timeoutMs);
    result.requestHeaderMutation = headerMutation(first);
    result.destination = result.requestHeaderMutation.set[DESTINATION_HEADER]?.split(',')[0];
    if (first.dynamic_metadata) result.dynamicMetadata = structToJson(first.dynamic_metadata);
    const body: Buffer[] = [];
    for (;;) {
      const m = await inbox.next('the streamed request body', timeoutMs);
      if (m.immediate_response) return await finishImmediate(m, result, call, inbox, timeoutMs);
      const part = streamedBody(m, 'request_body');
      if (part) body.push(part.body);
      if (!part || part.end) break;
    }
    result.mutatedRequestBody = Buffer.concat(body).toString('utf8');

    const upstreamHeaders = { ...reqHeaders, ...result.requestHeaderMutation.set };
    for (const h of result.requestHeaderMutation.remove) delete upstreamHeaders[h];
    let upstream: UpstreamResponse;
    if (c.upstream === 'forward') {
      if (!result.destination)
        throw new Error(`ext_proc: the EPP picked no endpoint (no ${DESTINATION_HEADER} header)`);
      upstream = await forward(result.destination, path, upstreamHeaders, result.mutatedRequestBody);
    } else {
      upstream = c.upstream;
    }
    result.upstreamResponse = upstream;

    call.write(responseHeaders({ ':status': String(upstream.status), ...upstream.headers }));
    for (const chunk of bodyChunks('response_body', Buffer.from(upstream.body), c.chunkSize ?? 64 * 1024))
      call.write(chunk);
    const respHeaders = await inbox.next('the response to the response headers', timeoutMs);
    result.responseHeaderMutation = headerMutation(respHeaders);
    const respBody: Buffer[] = [];
    for (;;) {
      const m = await inbox.next('the streamed response body', timeoutMs);
      const part = streamedBody(m, 'response_body');
      if (part) respBody.push(part.body);
      if (!part || part.end) break;
    }
    result.mutatedResponseBody = Buffer.concat(respBody).toString('utf8');
    call.end();
    await inbox.ended(timeoutMs);
    return result;
  } finally {
    call.end();
    if (typeof target === 'string') client.close();
  }
}

async function finishImmediate(
  m: ProcessingResponse,
  result: ExtProcResult,
  call: grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>,
  inbox: Inbox,
  timeoutMs: number,
): Promise<ExtProcResult> {
  const ir = m.immediate_response;
  result.immediateResponse = {
    // envoy.type.v3.StatusCode values are the HTTP status numbers.
    status: Number(ir.status?.code ?? 0),
    body: Buffer.from(ir.body ?? '').toString('utf8'),
    headers: headerMutation(m).set,
  };
  call.end();
  await inbox.ended(timeoutMs).catch(() => undefined);
  return result;
}
