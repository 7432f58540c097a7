import { http } from '../runtime/http';
import { randomBytes } from 'node:crypto';

export interface CompletionRequest {
  model: string;
  prompt?: string | number[];
  messages?: { role: string; content: string }[];
  stream?: boolean;
  maxTokens?: number;
  /** Extra request headers, e.g. traceparent / tracestate / baggage. */
  headers?: Record<string, string>;
}

export interface CompletionResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** `x-inference-pod` of the mock vLLM that answered (which endpoint the EPP picked). */
  servedBy?: string;
  /** For streaming: the `data:` frames in order. */
  frames: string[];
}

/** A W3C traceparent for a new trace; `sampled` sets the 01 flag the EPP's parent-based sampler follows. */
export function newTraceparent(sampled = true): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`, traceId, spanId };
}

/** One OpenAI request through the gateway, the way a client of the inference gateway sends it. */
export async function sendCompletion(gateway: string, req: CompletionRequest): Promise<CompletionResult> {
  const path = req.messages ? '/v1/chat/completions' : '/v1/completions';
  const body: Record<string, unknown> = { model: req.model, max_tokens: req.maxTokens ?? 8 };
  if (req.messages) body.messages = req.messages;
  else body.prompt = req.prompt ?? 'Say hello to the endpoint picker.';
  if (req.stream) body.stream = true;
  const res = await http.post<string>(`${gateway}${path}`, JSON.stringify(body), {
    headers: { 'content-type': 'application/json', ...req.headers },
    timeout: 30000,
  });
  const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const frames = req.stream
    ? res.data
        .split('\n\n')
        .map((f) => f.trim())
        .filter((f) => f.startsWith('data:'))
        .map((f) => f.slice(5).trim())
    : [];
  return { status: res.status, headers, body: res.data, servedBy: headers['x-inference-pod'], frames };
}
