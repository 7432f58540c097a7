/**
 * The gRPC-over-HTTP/2 wire format, only as much of it as one insecure, uncompressed bidi stream needs
 * (grpc/grpc PROTOCOL-HTTP2.md): messages are length-prefixed, the status arrives in trailers, or in the
 * response headers when the server answers with trailers only.
 */
import type { IncomingHttpHeaders } from 'node:http2';

/** A message as it goes on the stream: compressed flag 0, 4-byte big-endian length, the protobuf bytes. */
export function frameMessage(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Cuts a stream of DATA chunks into whole messages; a message may span chunks and a chunk hold several. */
export class FrameReader {
  private pending: Buffer | undefined;

  /** The complete messages that `chunk` finishes, in order; a partial tail is kept for the next chunk. */
  push(chunk: Buffer): Buffer[] {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    const out: Buffer[] = [];
    while (buf.length >= 5) {
      // We never offer an encoding (grpc-accept-encoding: identity), so a compressed message is a server bug.
      if (buf[0] !== 0) throw new Error(`gRPC: a message with compressed-flag ${buf[0]} (none was offered)`);
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      out.push(buf.subarray(5, 5 + len));
      buf = buf.subarray(5 + len);
    }
    if (buf.length > 0) this.pending = buf;
    return out;
  }

  /** Bytes of an unfinished message, which at the end of the stream means it was cut off. */
  get leftover(): number {
    return this.pending?.length ?? 0;
  }
}

export interface GrpcStatus {
  code: number;
  message: string;
}

/** grpc-status and grpc-message (percent-encoded UTF-8) from trailers or trailers-only response headers. */
export function statusFrom(headers: IncomingHttpHeaders): GrpcStatus | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(Array.isArray(raw) ? raw[0] : raw);
  const msg = headers['grpc-message'];
  let message = (Array.isArray(msg) ? msg[0] : msg) ?? '';
  try {
    message = decodeURIComponent(message);
  } catch {
    // a malformed escape: the spec says show it as it came
  }
  return { code: Number.isInteger(code) ? code : 2, message };
}

const CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** "14 UNAVAILABLE: connection refused", the way gRPC libraries print a status. */
export function describeStatus(s: GrpcStatus): string {
  return `${s.code} ${CODE_NAMES[s.code] ?? 'UNKNOWN'}${s.message ? `: ${s.message}` : ''}`;
}

/** An error that carries the stream's gRPC status code (as grpc-js's ServiceError does). */
export class GrpcStatusError extends Error {
  constructor(readonly status: GrpcStatus) {
    super(describeStatus(status));
    this.name = 'GrpcStatusError';
  }

  get code(): number {
    return this.status.code;
  }
}
