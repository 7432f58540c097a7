import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wordTokenIds } from '../drivers/word-tokenizer';
import { parseFaults, wrongKvAddress, type Fault } from './faults';
import { blockStoredFor, KvEventPublisher, kvTopic } from './kv-events';
import { newMetricsState, renderMetrics } from './metrics';
import { completionBody, completionTokens, errorBody, streamChunk, usage, usageChunk } from './openai';
import type { MockVllmOptions } from './options';
import { GenAi } from './span-attributes';
import { chatTokenIds, completionTokenIds, type Prompt } from './tokens';
import { createTracing, setAttributes } from './tracing';
import { SENTINEL_PATH } from '../traces/sentinel';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  receivedAt: string;
}

/** One KV-event batch the mock published (what /debug/kv-events shows): topic, event and block count. */
export interface PublishedKvEvent {
  topic: string;
  type: string;
  blocks: number;
  at: string;
}

export interface StartedMockVllm {
  url: string;
  port: number;
  faults(): ReadonlySet<Fault>;
  setFaults(faults: Iterable<Fault>): void;
  /** The last requests received, newest last, with their headers (what trace context arrived). */
  requests(): readonly ReceivedRequest[];
  /** Exports the spans still waiting in the batch processor. */
  flushSpans(): Promise<void>;
  stop(): Promise<void>;
}

const KEEP_REQUESTS = 200;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The mock model server: OpenAI API, vLLM metrics, the `llm_request` span and KV events, with fault switches. */
export async function startMockVllm(
  opts: MockVllmOptions,
  test: { exporter?: SpanExporter } = {},
): Promise<StartedMockVllm> {
  let faults = new Set(opts.faults);
  const received: ReceivedRequest[] = [];
  const metrics = newMetricsState();
  const startedAt = Math.floor(Date.now() / 1000);
  const tracing = createTracing({
    serviceName: opts.serviceName,
    resourceAttributes: opts.resourceAttributes,
    otlpEndpoint: opts.otlpEndpoint,
    exporter: test.exporter,
    slowExport: () => faults.has('slow-export'),
  });
  const kv = opts.kvEventsEndpoint ? new KvEventPublisher(opts.kvEventsEndpoint, opts.kvLayout) : undefined;
  const published: PublishedKvEvent[] = [];
  const tokenize = (text: string): number[] =>
    opts.tokenizer === 'words' ? wordTokenIds(text) : completionTokenIds(text);
  let topicAddress = opts.kvTopicAddress;

  async function completion(req: IncomingMessage, res: ServerResponse, chat: boolean): Promise<void> {
    const arrival = Date.now();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, errorBody('request body is not valid JSON', 'BadRequestError', 400));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendJson(res, 400, errorBody('request body must be a JSON object', 'BadRequestError', 400));
    }
    if (body.model !== opts.model) {
      return sendJson(res, 404, errorBody(`The model \`${String(body.model)}\` does not exist.`, 'NotFoundError', 404));
    }
    if (faults.has('http-500'))
      return sendJson(res, 500, errorBody('injected fault http-500', 'InternalServerError', 500));
    let promptTokens: number[];
    try {
      promptTokens = chat
        ? chatTokenIds(body.messages as { role: string; content: unknown }[])
        : typeof body.prompt === 'string'
          ? tokenize(body.prompt)
          : completionTokenIds(body.prompt as Prompt);
    } catch {
      return sendJson(res, 400, errorBody(chat ? 'messages are invalid' : 'prompt is invalid', 'BadRequestError', 400));
    }
    const span = tracing?.startRequestSpan(req.headers, faults, arrival);
    const requestId = String(req.headers['x-request-id'] ?? `cmpl-${randomUUID()}`);
    metrics.running += 1;
    // As vLLM does: the blocks a request filled are announced (BlockStored) under this server's topic.
    if (kv && topicAddress && !faults.has('no-kv-events')) {
      const stored = blockStoredFor(opts.model, promptTokens, opts.blockSize, {
        scheme: opts.kvHash,
        seed: opts.kvHashSeed,
      });
      const address = faults.has('wrong-kv-topic') ? wrongKvAddress(topicAddress) : topicAddress;
      if (stored?.type === 'BlockStored') {
        const topic = kvTopic(address, opts.model);
        published.push({ topic, type: stored.type, blocks: stored.hashes.length, at: new Date().toISOString() });
        if (published.length > KEEP_REQUESTS) published.shift();
        void kv.publish(topic, [stored]).catch(() => undefined);
      }
    }
    const pieces = completionTokens(body.max_tokens as number | undefined);
    const u = usage(promptTokens.length, pieces.length);
    const firstToken = Date.now();
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      pieces.forEach((p, i) =>
        res.write(
          `data: ${JSON.stringify(streamChunk(requestId, opts.model, chat, `${p} `, i === pieces.length - 1))}\n\n`,
        ),
      );
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      if (includeUsage) res.write(`data: ${JSON.stringify(usageChunk(requestId, opts.model, chat, u))}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      sendJson(res, 200, completionBody(requestId, opts.model, chat, pieces.join(' '), u));
    }
    metrics.running -= 1;
    metrics.successes += 1;
    metrics.promptTokens += u.prompt_tokens;
    metrics.generationTokens += u.completion_tokens;
    const end = Date.now();
    const seconds = (ms: number): number => ms / 1000;
    setAttributes(span, {
      [GenAi.REQUEST_ID]: requestId,
      [GenAi.RESPONSE_MODEL]: opts.model,
      [GenAi.REQUEST_MAX_TOKENS]: body.max_tokens as number | undefined,
      [GenAi.REQUEST_TEMPERATURE]: body.temperature as number | undefined,
      [GenAi.REQUEST_TOP_P]: body.top_p as number | undefined,
      [GenAi.REQUEST_N]: body.n as number | undefined,
      [GenAi.USAGE_PROMPT_TOKENS]: u.prompt_tokens,
      [GenAi.USAGE_COMPLETION_TOKENS]: u.completion_tokens,
      [GenAi.LATENCY_TIME_IN_QUEUE]: 0,
      [GenAi.LATENCY_TIME_TO_FIRST_TOKEN]: seconds(firstToken - arrival),
      [GenAi.LATENCY_E2E]: seconds(end - arrival),
      [GenAi.LATENCY_TIME_IN_MODEL_PREFILL]: seconds(firstToken - arrival),
      [GenAi.LATENCY_TIME_IN_MODEL_DECODE]: seconds(end - firstToken),
      [GenAi.LATENCY_TIME_IN_MODEL_INFERENCE]: seconds(end - arrival),
    });
    span?.end(end);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    res.setHeader('x-inference-pod', opts.podName);
    res.setHeader('x-inference-port', String(server.port));
    if (path.startsWith('/v1/')) {
      received.push({ path, headers: req.headers, receivedAt: new Date().toISOString() });
      if (received.length > KEEP_REQUESTS) received.shift();
    }
    if (req.method === 'POST' && path === '/v1/completions') return completion(req, res, false);
    if (req.method === 'POST' && path === '/v1/chat/completions') return completion(req, res, true);
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: opts.model, object: 'model', created: startedAt, owned_by: 'epp-otel-e2e' }],
      });
    }
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, {});
    if (req.method === 'POST' && path === SENTINEL_PATH) {
      if (!tracing) return sendJson(res, 409, errorBody('this mock exports no spans', 'ConflictError', 409));
      tracing.sentinel(req.headers);
      res.writeHead(204);
      return void res.end();
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return void res.end(renderMetrics(opts.model, opts.blockSize, metrics, startedAt));
    }
    if (req.method === 'GET' && path === '/debug/requests') return sendJson(res, 200, received);
    if (req.method === 'GET' && path === '/debug/kv-events') return sendJson(res, 200, published);
    if (path === '/admin/faults') {
      if (req.method === 'POST') {
        try {
          const wanted = (JSON.parse(await readBody(req)) as { faults?: string[] }).faults ?? [];
          faults = parseFaults(wanted);
        } catch (err) {
          return sendJson(res, 400, errorBody((err as Error).message, 'BadRequestError', 400));
        }
      }
      return sendJson(res, 200, { faults: [...faults] });
    }
    sendJson(res, 404, errorBody(`no route ${req.method} ${path}`, 'NotFoundError', 404));
  }

  const http = createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(err.message, 'InternalServerError', 500));
    });
  });
  const server = { port: 0 };
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  server.port = (http.address() as AddressInfo).port;
  topicAddress ??= `${opts.host}:${server.port}`;

  return {
    url: `http://${opts.host}:${server.port}`,
    port: server.port,
    faults: () => faults,
    setFaults: (f) => {
      faults = new Set(f);
    },
    requests: () => received,
    flushSpans: async () => {
      await tracing?.flush();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await tracing?.shutdown();
      await kv?.close();
    },
  };
}
