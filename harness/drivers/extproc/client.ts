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
import { encodeFrames, ExtProcChannel, type ExtProcStream } from './channel';

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
  /**
   * When the exchange is over for the caller.
   * - 'stream-end' (the default): once the EPP has ended the stream with status OK, so that what the EPP records at
   *   the stream's end (its gateway.request span) has happened before the caller goes on.
   * - 'response', as Envoy sees a request: once the reply to the last response-body chunk is in. Envoy half-closes
   *   the stream then (its ext_proc filter closes the stream when the HTTP stream is destroyed) and does not hold
   *   the downstream response for the EPP's status. `result.closed` still reports that status.
   */
  doneAt?: 'stream-end' | 'response';
}

/** A call with its messages encoded once, for callers that play the same call many times (the bench). */
export interface PreparedCall {
  readonly call: ExtProcCall;
  readonly requestFrames: Buffer;
  /** The response phase, when the upstream's answer is canned (known before the exchange). */
  readonly responseFrames?: Buffer;
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
  /**
   * Settles when the EPP has ended the stream: fulfilled on status OK, rejected otherwise. Already settled unless
   * the call asked for doneAt 'response'. Marked handled, so a caller that never looks causes no unhandled rejection.
   */
  closed: Promise<void>;
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

/** One connection to the EPP that many calls can share, as Envoy multiplexes its ext_proc streams. */
export function extProcChannel(target: string): ExtProcChannel {
  return new ExtProcChannel(target);
}

/** The HTTP request headers Envoy would hand the EPP for this call (pseudo-headers first, as Envoy orders them). */
function httpRequestHeaders(c: ExtProcCall): Record<string, string> {
  return {
    ':method': 'POST',
    ':path': c.path ?? '/v1/completions',
    ':authority': 'epp-e2e',
    ':scheme': 'http',
    'content-type': 'application/json',
    ...c.headers,
  };
}

/** What Envoy sends before the EPP's decision: the request headers and the body in chunks. */
export function requestPhase(c: ExtProcCall): ProcessingRequest[] {
  const bodyText = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  return [
    requestHeaders(httpRequestHeaders(c)),
    ...bodyChunks('request_body', Buffer.from(bodyText), c.chunkSize ?? 64 * 1024),
  ];
}

/** What Envoy sends after the upstream answered: the response headers and the body in chunks. */
export function responsePhase(upstream: UpstreamResponse, chunkSize = 64 * 1024): ProcessingRequest[] {
  return [
    responseHeaders({ ':status': String(upstream.status), ...upstream.headers }),
    ...bodyChunks('response_body', Buffer.from(upstream.body), chunkSize),
  ];
}

/** The call's messages encoded once (a copy of the call, so later changes to it cannot make them disagree). */
export function prepareCall(c: ExtProcCall): PreparedCall {
  const call = { ...c };
  return {
    call,
    requestFrames: encodeFrames(requestPhase(call)),
    responseFrames:
      call.upstream === 'forward' ? undefined : encodeFrames(responsePhase(call.upstream, call.chunkSize)),
  };
}

/**
 * One request through the EPP exactly as Envoy sends it in FULL_DUPLEX_STREAMED mode: request headers, body
 * chunks, then (after the EPP's decision) response headers and body, and finally a half-close, which is what
 * ends the EPP's `gateway.request` span.
 */
export async function processThroughEpp(
  target: string | ExtProcChannel,
  callOrPrepared: ExtProcCall | PreparedCall,
): Promise<ExtProcResult> {
  const prepared = 'requestFrames' in callOrPrepared ? callOrPrepared : undefined;
  const c = prepared ? prepared.call : (callOrPrepared as ExtProcCall);
  const timeoutMs = c.timeoutMs ?? 10000;
  const path = c.path ?? '/v1/completions';
  const channel = typeof target === 'string' ? extProcChannel(target) : target;
  const call = channel.open(c.grpcMetadata);
  // Gives the stream up if it has not ended (rather than leave it open on the EPP), and a channel of our own.
  const release = (): void => {
    call.cancel();
    if (typeof target === 'string') channel.close();
  };
  // Set once the stream is handed to `closed` below, which releases it when it ends.
  let handedOff = false;
  try {
    const reqHeaders = httpRequestHeaders(c);
    if (prepared) call.writeFrames(prepared.requestFrames);
    else call.write(...requestPhase(c));

    // The EPP answers the headers only once it has the whole body and has scheduled (or refused) the request.
    const result: ExtProcResult = {
      requestHeaderMutation: { set: {}, remove: [] },
      mutatedRequestBody: '',
      responses: call.all,
      closed: Promise.resolve(),
    };
    const first = await call.next('the response to the request headers', timeoutMs);
    if (first.immediate_response) return await finishImmediate(first, result, call, timeoutMs);
    result.requestHeaderMutation = headerMutation(first);
    result.destination = result.requestHeaderMutation.set[DESTINATION_HEADER]?.split(',')[0];
    if (first.dynamic_metadata) result.dynamicMetadata = structToJson(first.dynamic_metadata);
    const body: Buffer[] = [];
    for (;;) {
      const m = await call.next('the streamed request body', timeoutMs);
      if (m.immediate_response) return await finishImmediate(m, result, call, timeoutMs);
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

    if (prepared?.responseFrames) call.writeFrames(prepared.responseFrames);
    else call.write(...responsePhase(upstream, c.chunkSize));
    const respHeaders = await call.next('the response to the response headers', timeoutMs);
    result.responseHeaderMutation = headerMutation(respHeaders);
    const respBody: Buffer[] = [];
    for (;;) {
      const m = await call.next('the streamed response body', timeoutMs);
      const part = streamedBody(m, 'response_body');
      if (part) respBody.push(part.body);
      if (!part || part.end) break;
    }
    result.mutatedResponseBody = Buffer.concat(respBody).toString('utf8');
    call.end();
    const closed = call.ended(timeoutMs).finally(release);
    handedOff = true;
    if (c.doneAt === 'response') {
      closed.catch(() => undefined);
      result.closed = closed;
    } else {
      await closed;
    }
    return result;
  } finally {
    // On the way out through an error or an immediate response.
    if (!handedOff) release();
  }
}

async function finishImmediate(
  m: ProcessingResponse,
  result: ExtProcResult,
  call: ExtProcStream,
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
  await call.ended(timeoutMs).catch(() => undefined);
  return result;
}
