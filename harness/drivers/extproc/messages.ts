/**
 * ext_proc v3 messages as plain objects (protobufjs objects, field names as in the .proto), built the way Envoy builds them and read
 * the way Envoy reads them. Header values go in `raw_value`, as Envoy sends them: the EPP reads some headers
 * (e.g. content-type for streaming detection) from raw_value only.
 */

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer | Uint8Array;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export type ProcessingRequest = Record<string, any>;
export type ProcessingResponse = Record<string, any>;

export function headerMap(headers: Record<string, string>): { headers: HeaderValue[] } {
  return {
    headers: Object.entries(headers).map(([key, v]) => ({ key: key.toLowerCase(), raw_value: Buffer.from(v) })),
  };
}

export function requestHeaders(headers: Record<string, string>, endOfStream = false): ProcessingRequest {
  return { request_headers: { headers: headerMap(headers), end_of_stream: endOfStream } };
}

export function responseHeaders(headers: Record<string, string>, endOfStream = false): ProcessingRequest {
  return { response_headers: { headers: headerMap(headers), end_of_stream: endOfStream } };
}

/** A body split in chunks as Envoy streams it; the last chunk carries end_of_stream. */
export function bodyChunks(
  kind: 'request_body' | 'response_body',
  body: Buffer,
  chunkSize: number,
): ProcessingRequest[] {
  const out: ProcessingRequest[] = [];
  for (let at = 0; at < body.length || out.length === 0; at += chunkSize) {
    const chunk = body.subarray(at, at + chunkSize);
    out.push({ [kind]: { body: chunk, end_of_stream: at + chunkSize >= body.length } });
  }
  return out;
}

export function headerText(h: HeaderValue): string {
  if (h.raw_value && h.raw_value.length > 0) return Buffer.from(h.raw_value).toString('utf8');
  return h.value ?? '';
}

/** What one ext_proc response asks Envoy to do to the headers. */
export function headerMutation(resp: ProcessingResponse): { set: Record<string, string>; remove: string[] } {
  const common =
    resp.request_headers?.response ??
    resp.response_headers?.response ??
    resp.request_body?.response ??
    resp.response_body?.response;
  const mutation = common?.header_mutation ?? resp.immediate_response?.headers;
  const set: Record<string, string> = {};
  for (const opt of mutation?.set_headers ?? []) {
    if (opt.header) set[String(opt.header.key).toLowerCase()] = headerText(opt.header);
  }
  return { set, remove: (mutation?.remove_headers ?? []).map((h: string) => h.toLowerCase()) };
}

/** The streamed body chunk of a body response, if any, and whether it is the last. */
export function streamedBody(
  resp: ProcessingResponse,
  kind: 'request_body' | 'response_body',
): { body: Buffer; end: boolean } | undefined {
  const mutation = resp[kind]?.response?.body_mutation;
  if (!mutation) return undefined;
  if (mutation.streamed_response) {
    return {
      body: Buffer.from(mutation.streamed_response.body ?? []),
      end: Boolean(mutation.streamed_response.end_of_stream),
    };
  }
  if (mutation.body) return { body: Buffer.from(mutation.body), end: false };
  return undefined;
}

/** google.protobuf.Struct (as the codec in proto.ts decodes it) to plain JSON. */
export function structToJson(s: any): unknown {
  if (!s || typeof s !== 'object') return s;
  if ('fields' in s) return Object.fromEntries(Object.entries(s.fields ?? {}).map(([k, v]) => [k, structToJson(v)]));
  if ('kind' in s) return structToJson(s[s.kind]);
  if ('stringValue' in s) return s.stringValue;
  if ('numberValue' in s) return s.numberValue;
  if ('boolValue' in s) return s.boolValue;
  if ('nullValue' in s) return null;
  if ('structValue' in s) return structToJson(s.structValue);
  if ('listValue' in s) return (s.listValue.values ?? []).map(structToJson);
  return s;
}
