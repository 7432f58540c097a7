import { SENTINEL_PATH, SENTINEL_SPAN } from '../traces/sentinel';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import axios from 'axios';
import type { Fault } from './faults';
import { parseMockVllmOptions } from './options';
import { startMockVllm, type StartedMockVllm } from './server';
import { GenAi, LLM_REQUEST_SPAN } from './span-attributes';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;

let server: StartedMockVllm | undefined;
let exporter: InMemorySpanExporter;

async function start(faults: Fault[] = []): Promise<StartedMockVllm> {
  exporter = new InMemorySpanExporter();
  const opts = parseMockVllmOptions([
    '--port=0',
    '--model=m1',
    '--pod-name=pod-a',
    ...(faults.length ? [`--faults=${faults.join(',')}`] : []),
  ]);
  server = await startMockVllm(opts, { exporter });
  return server;
}

/** Flushes the server's span processor and returns what was exported (before stop, which clears the exporter). */
async function spans() {
  await server!.flushSpans();
  return exporter.getFinishedSpans();
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  axios.post(url, typeof body === 'string' ? body : JSON.stringify(body), {
    headers: { 'content-type': 'application/json', ...headers },
    validateStatus: () => true,
    // Send strings as they are: axios would JSON-quote one that is not valid JSON.
    transformRequest: [(d: string) => d],
    responseType: 'text',
    transformResponse: (x: string) => x,
    proxy: false,
  });

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('mock vLLM: OpenAI API', () => {
  it('answers a completion with usage and says which server answered', async () => {
    const s = await start();
    const res = await post(`${s.url}/v1/completions`, { model: 'm1', prompt: 'hello world', max_tokens: 3 });
    expect(res.status).toBe(200);
    expect(res.headers['x-inference-pod']).toBe('pod-a');
    expect(res.headers['x-inference-port']).toBe(String(s.port));
    const body = JSON.parse(res.data);
    expect(body).toMatchObject({
      object: 'text_completion',
      model: 'm1',
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    });
    expect(body.choices[0].text).toBe('the endpoint picker');
  });

  it('streams chat completions as SSE frames ending in [DONE], with a usage chunk when asked', async () => {
    const s = await start();
    const res = await post(`${s.url}/v1/chat/completions`, {
      model: 'm1',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const frames = (res.data as string).split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)));
    expect(chunks.map((c) => c.choices[0]?.delta?.content)).toEqual(['the ', 'endpoint ', undefined]);
    expect(chunks[1].choices[0].finish_reason).toBe('length');
    expect(chunks[2].usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  });

  it('accepts token-id prompts, lists its model, and refuses a wrong model or bad JSON OpenAI-style', async () => {
    const s = await start();
    const ids = await post(`${s.url}/v1/completions`, { model: 'm1', prompt: [1, 2, 3, 4, 5], max_tokens: 1 });
    expect(JSON.parse(ids.data).usage.prompt_tokens).toBe(5);
    const models = await axios.get(`${s.url}/v1/models`, { proxy: false });
    expect(models.data.data.map((m: { id: string }) => m.id)).toEqual(['m1']);
    const wrong = await post(`${s.url}/v1/completions`, { model: 'other', prompt: 'x' });
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.data)).toMatchObject({
      object: 'error',
      type: 'NotFoundError',
      message: 'The model `other` does not exist.',
    });
    const bad = await post(`${s.url}/v1/completions`, '{not json');
    expect(bad.status).toBe(400);
    expect((await axios.get(`${s.url}/health`, { proxy: false })).status).toBe(200);
  });

  it('serves the vLLM metric names the EPP scrapes', async () => {
    const s = await start();
    await post(`${s.url}/v1/completions`, { model: 'm1', prompt: 'abcd', max_tokens: 2 });
    const text = (await axios.get<string>(`${s.url}/metrics`, { proxy: false })).data;
    for (const name of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc']) {
      expect(text).toContain(`${name}{model_name="m1"} 0`);
    }
    expect(text).toMatch(
      /^vllm:lora_requests_info\{max_lora="1",running_lora_adapters="",waiting_lora_adapters=""\} \d+$/m,
    );
    expect(text).toContain('vllm:cache_config_info{block_size="16",num_gpu_blocks="1024"} 1');
    expect(text).toContain('vllm:generation_tokens_total{model_name="m1"} 2');
  });

  it('records the headers each request arrived with', async () => {
    const s = await start();
    await post(
      `${s.url}/v1/completions`,
      { model: 'm1', prompt: 'x' },
      { traceparent: TRACEPARENT, baggage: 'user=alice' },
    );
    const seen = (await axios.get(`${s.url}/debug/requests`, { proxy: false })).data;
    expect(seen.at(-1)).toMatchObject({
      path: '/v1/completions',
      headers: { traceparent: TRACEPARENT, baggage: 'user=alice' },
    });
  });
});

describe('mock vLLM: the llm_request span', () => {
  it('is a SERVER span parented by the incoming traceparent, with vLLM attributes', async () => {
    const s = await start();
    await post(
      `${s.url}/v1/completions`,
      { model: 'm1', prompt: 'hello', max_tokens: 2, temperature: 0.5 },
      { traceparent: TRACEPARENT },
    );
    const [span, ...rest] = await spans();
    expect(rest).toEqual([]);
    expect(span.name).toBe(LLM_REQUEST_SPAN);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(span.attributes).toMatchObject({
      [GenAi.RESPONSE_MODEL]: 'm1',
      [GenAi.REQUEST_MAX_TOKENS]: 2,
      [GenAi.REQUEST_TEMPERATURE]: 0.5,
      [GenAi.USAGE_PROMPT_TOKENS]: 2,
      [GenAi.USAGE_COMPLETION_TOKENS]: 2,
    });
    expect(typeof span.attributes[GenAi.LATENCY_E2E]).toBe('number');
    expect(span.attributes[GenAi.REQUEST_TOP_P]).toBeUndefined();
    expect(span.resource.attributes['service.name']).toBe('mock-vllm');
  });

  it.each<[Fault, (span: ReturnType<InMemorySpanExporter['getFinishedSpans']>[number]) => void]>([
    [
      'drop-traceparent',
      (s) => {
        expect(s.spanContext().traceId).not.toBe(TRACE);
        expect(s.parentSpanContext).toBeUndefined();
        expect(s.links).toEqual([]);
      },
    ],
    [
      'new-root-trace',
      (s) => {
        expect(s.spanContext().traceId).not.toBe(TRACE);
        expect(s.links.map((l) => l.context.spanId)).toEqual([PARENT]);
      },
    ],
    [
      'orphan-parent',
      (s) => {
        expect(s.spanContext().traceId).toBe(TRACE);
        expect(s.parentSpanContext?.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(s.parentSpanContext?.spanId).not.toBe(PARENT);
      },
    ],
    ['wrong-span-name', (s) => expect(s.name).toBe('llm_request_v2')],
  ])('fault %s breaks the span in exactly its way', async (fault, check) => {
    const s = await start([fault]);
    await post(`${s.url}/v1/completions`, { model: 'm1', prompt: 'hello' }, { traceparent: TRACEPARENT });
    const exported = await spans();
    expect(exported).toHaveLength(1);
    check(exported[0]);
  });

  it('no-spans emits nothing; http-500 fails the request; faults switch at run time', async () => {
    const s = await start(['no-spans']);
    await post(`${s.url}/v1/completions`, { model: 'm1', prompt: 'x' });
    const set = await post(`${s.url}/admin/faults`, { faults: ['http-500'] });
    expect(JSON.parse(set.data)).toEqual({ faults: ['http-500'] });
    expect((await post(`${s.url}/v1/completions`, { model: 'm1', prompt: 'x' })).status).toBe(500);
    const unknown = await post(`${s.url}/admin/faults`, { faults: ['explode'] });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.data).message).toMatch(/^unknown fault "explode"; valid faults: drop-traceparent, /);
    expect(await spans()).toEqual([]);
  });
});

describe('mock vLLM: the flush-horizon sentinel', () => {
  it('ends one span in the given trace, whatever tracing faults are on, and records no request', async () => {
    const s = await start(['no-spans', 'drop-traceparent']);
    const res = await post(`${s.url}${SENTINEL_PATH}`, '', { traceparent: TRACEPARENT });
    expect(res.status).toBe(204);
    const [span, ...rest] = await spans();
    expect(rest).toEqual([]);
    expect(span.name).toBe(SENTINEL_SPAN);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(s.requests()).toEqual([]);
  });
});

describe('mock vLLM: options', () => {
  it.each([
    [['--model=m'], '--port is required'],
    [['--port=1'], '--model is required'],
    [['--port=1', '--model=m', '--faults=nope'], '--faults: unknown fault "nope"'],
    [['--port=1', '--model=m', '--block-size=0'], '--block-size must be a positive integer'],
    [['--port=1', '--model=m', '--resource-attributes=x'], '"x" is not key=value'],
  ])('%j is refused with a message naming the flag', (argv, message) => {
    expect(() => parseMockVllmOptions(argv, {})).toThrow(message);
  });

  it('reads MOCK_VLLM_* from the environment (the container form)', () => {
    const o = parseMockVllmOptions([], { MOCK_VLLM_PORT: '8000', MOCK_VLLM_MODEL: 'm', MOCK_VLLM_FAULTS: 'no-spans' });
    expect(o).toMatchObject({ port: 8000, model: 'm', host: '127.0.0.1' });
    expect([...o.faults]).toEqual(['no-spans']);
  });
});
