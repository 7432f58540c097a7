import * as http2 from 'node:http2';
import { describeStatus, frameMessage, FrameReader, GrpcStatusError, statusFrom, type GrpcStatus } from './grpc-wire';
import { extProcCodec } from './proto';
import type { ProcessingRequest, ProcessingResponse } from './messages';

const PROCESS = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';

/**
 * One HTTP/2 connection to the EPP's ext_proc port that many Process streams share, as Envoy multiplexes its
 * ext_proc streams (and as ghz does with its default of one connection).
 *
 * Why not grpc-js: profiled on the local topology, its per-call machinery (resolving, retrying, load-balancing
 * and subchannel calls, filter stacks, a captured stack per call) cost about twice the CPU of the whole exchange
 * on node:http2, and the driver's throughput was bound by it. A Process stream needs only framing, metadata and a
 * status, which grpc-wire.ts holds.
 */
export class ExtProcChannel {
  private session: http2.ClientHttp2Session | undefined;

  constructor(readonly target: string) {}

  /** Starts a Process stream; gRPC metadata goes out as HTTP/2 headers (e.g. the traceparent Envoy adds). */
  open(metadata: Record<string, string> = {}): ExtProcStream {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': PROCESS,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity',
      'user-agent': 'epp-otel-e2e-extproc',
    };
    for (const [k, v] of Object.entries(metadata)) headers[k.toLowerCase()] = v;
    return new ExtProcStream(this.connection().request(headers), this.target);
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  /** The live connection, or a new one when there is none or the EPP went away (GOAWAY, reset). */
  private connection(): http2.ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    const session = http2.connect(`http://${this.target}`);
    // A refused or dropped connection fails its streams (each reports it); the session's own error must not be
    // an unhandled 'error' event.
    session.on('error', () => undefined);
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('goaway', forget);
    session.on('close', forget);
    // The harness's own process should not be held open by an idle connection someone forgot to close.
    session.unref();
    this.session = session;
    return session;
  }
}

/** Messages as gRPC frames, back to back: what `write` puts on the stream. */
export function encodeFrames(messages: ProcessingRequest[]): Buffer {
  const codec = extProcCodec();
  const frames = messages.map((m) => frameMessage(codec.encodeRequest(m)));
  return frames.length === 1 ? frames[0] : Buffer.concat(frames);
}

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/**
 * One Process stream: writes requests, reads the EPP's responses one at a time with a deadline and a message that
 * says what was awaited, and knows how the stream ended.
 */
export class ExtProcStream {
  private readonly queue: ProcessingResponse[] = [];
  /** Every response the EPP sent, in order, for failure reports. */
  readonly all: ProcessingResponse[] = [];
  private waiter: Waiter | undefined;
  /** Set once the stream is over: its status, or why it has none. */
  private outcome: { status?: GrpcStatus; error?: Error } | undefined;
  private status: GrpcStatus | undefined;
  private halfClosed = false;
  private readonly reader = new FrameReader();
  private readonly codec = extProcCodec();

  constructor(
    private readonly stream: http2.ClientHttp2Stream,
    private readonly target: string,
  ) {
    stream.on('response', (headers) => {
      const code = headers[':status'];
      if (code !== 200) {
        this.finish({ error: new Error(`ext_proc: HTTP ${code} from ${target} (not a gRPC server?)`) });
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      // Trailers-only: the status arrives with the response headers and no messages follow.
      this.status ??= statusFrom(headers);
    });
    stream.on('trailers', (trailers) => {
      this.status ??= statusFrom(trailers);
    });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // 'end' comes after the last 'data', so no response is left behind when the outcome is decided.
    stream.on('end', () => this.finish());
    stream.on('error', (err: Error) => this.finish({ error: err }));
    stream.on('close', () => this.finish());
  }

  /** Sends messages in one write: one DATA frame where Envoy might use several, the same bytes for the EPP. */
  write(...messages: ProcessingRequest[]): void {
    this.writeFrames(encodeFrames(messages));
  }

  /** Sends messages already framed by `encodeFrames` (a caller that sends the same messages many times). */
  writeFrames(frames: Buffer): void {
    this.stream.write(frames);
  }

  /** Half-close: no more requests. Once only; the EPP then ends the stream (and its gateway.request span). */
  end(): void {
    if (this.halfClosed) return;
    this.halfClosed = true;
    this.stream.end();
  }

  /** Resets a stream that has not ended (the driver gave up on it), so neither side keeps it; else nothing. */
  cancel(): void {
    if (!this.outcome && !this.stream.closed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  async next(what: string, timeoutMs: number): Promise<ProcessingResponse> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0 && !this.outcome) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `ext_proc: waited ${timeoutMs} ms for ${what}; nothing came (received ${this.all.length} messages)`,
        );
      await this.wait(left);
    }
    const m = this.queue.shift();
    if (m) return m;
    const why = this.outcome!.error
      ? `the stream failed: ${this.outcome!.error.message}`
      : `the EPP ended the stream (${describeStatus(this.outcome!.status!)})`;
    throw new Error(`ext_proc: waiting for ${what}, but ${why} (received ${this.all.length} messages)`);
  }

  /** Waits for the EPP to end the stream; an error unless it ended with status OK. */
  async ended(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Responses that arrive meanwhile are kept in `all` for reports.
    while (!this.outcome) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`ext_proc: the EPP did not close the stream within ${timeoutMs} ms`);
      await this.wait(left);
    }
    if (this.outcome.error) throw this.outcome.error;
    if (this.outcome.status!.code !== 0) throw new GrpcStatusError(this.outcome.status!);
  }

  /** Until the next response or the end of the stream, or `timeoutMs`: one timer per wait, none per message. */
  private wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = { resolve, timer: setTimeout(() => this.wake(), timeoutMs) };
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve();
  }

  private onData(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.reader.push(chunk);
    } catch (err) {
      this.finish({ error: err as Error });
      this.cancel();
      return;
    }
    for (const bytes of messages) {
      const m = this.codec.decodeResponse(bytes);
      this.queue.push(m);
      this.all.push(m);
    }
    if (messages.length) this.wake();
  }

  private finish(failure?: { error: Error }): void {
    if (this.outcome) return;
    if (failure) {
      this.outcome = failure;
    } else if (this.status && this.reader.leftover === 0) {
      this.outcome = { status: this.status };
    } else if (this.stream.closed || this.stream.destroyed) {
      const why = this.reader.leftover
        ? `a message cut off after ${this.reader.leftover} bytes`
        : `no gRPC status (HTTP/2 close code ${this.stream.rstCode})`;
      this.outcome = { error: new Error(`ext_proc stream to ${this.target} ended with ${why}`) };
    } else {
      // 'end' without a status yet: the trailers or the close will decide.
      return;
    }
    this.wake();
  }
}
