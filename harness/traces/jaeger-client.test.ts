import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { JaegerClient } from './jaeger-client';
import { FIXTURES_DIR } from './recorded';
import { waitForTrace, waitForTraces, WaitTimeoutError } from './wait';

const recorded = (f: string) => readFileSync(join(FIXTURES_DIR, f), 'utf8');
const CLIENT_TRACE = '5bf92f3577b34da6a3ce929d0e0e4736';

describe('JaegerClient against recorded api_v3 answers', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  let traceVisibleAfter = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      };
      if (url.pathname === `/api/v3/traces/${CLIENT_TRACE}`) {
        // Jaeger indexes spans a little after they arrive: answer 404 for the first polls.
        return traceVisibleAfter-- > 0
          ? send(404, '{"error":{"httpCode":404,"message":"No traces found"}}')
          : send(200, recorded('recorded-client-trace.json'));
      }
      if (url.pathname.startsWith('/api/v3/traces/'))
        return send(404, '{"error":{"httpCode":404,"message":"No traces found"}}');
      if (url.pathname === '/api/v3/traces') {
        if (url.searchParams.get('query.service_name') === 'nobody')
          return send(404, '{"error":{"httpCode":404,"message":"No traces found"}}');
        if (url.searchParams.get('query.service_name') === 'broken') return send(500, 'storage exploded');
        return send(200, recorded('recorded-epp-search-3-traces.json'));
      }
      if (url.pathname === '/api/v3/services')
        return send(200, '{"services":["llm-d-epp","mock-vllm","envoy-gateway"]}');
      if (url.pathname === '/api/v3/operations')
        return send(200, '{"operations":[{"name":"gateway.request","spanKind":"server"}]}');
      send(404, 'no route');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('gets a trace by id, and undefined for an unknown one', async () => {
    const c = new JaegerClient(base);
    const t = await c.getTrace(CLIENT_TRACE);
    expect(t?.spans.map((s) => s.name).sort()).toEqual([
      'async envoy.service.ext_proc.v3.ExternalProcessor.Process egress',
      'ingress',
      'llm_request',
    ]);
    expect(await c.getTrace('0'.repeat(32))).toBeUndefined();
    expect(c.uiLink('abc')).toBe(`${base}/trace/abc`);
  });

  it('searches with the snake_case parameters every Jaeger 2.x accepts, always with num_traces', async () => {
    const c = new JaegerClient(base);
    const since = new Date('2026-11-24T03:00:00.123Z');
    const ts = await c.findTraces({
      service: 'llm-d-epp',
      operation: 'gateway.request',
      since,
      until: since,
      limit: 7,
    });
    expect(ts).toHaveLength(3);
    const q = new URL(seen.filter((u) => u.startsWith('/api/v3/traces?')).at(-1)!, 'http://x').searchParams;
    expect(Object.fromEntries(q)).toEqual({
      'query.service_name': 'llm-d-epp',
      'query.operation_name': 'gateway.request',
      'query.start_time_min': '2026-11-24T03:00:00.123000000Z',
      'query.start_time_max': '2026-11-24T03:00:00.123000000Z',
      'query.num_traces': '7',
    });
  });

  it('treats "No traces found" as an empty search and names the URL on real errors', async () => {
    const c = new JaegerClient(base);
    expect(await c.findTraces({ service: 'nobody', since: new Date() })).toEqual([]);
    await expect(c.findTraces({ service: 'broken', since: new Date() })).rejects.toThrow(
      /Jaeger http:\/\/127\.0\.0\.1:\d+\/api\/v3\/traces\?query\.service_name=broken.* answered HTTP 500: storage exploded/,
    );
    expect(await c.services()).toContain('llm-d-epp');
    expect(await c.operations('llm-d-epp')).toEqual([{ name: 'gateway.request', spanKind: 'server' }]);
  });

  it('waits for a trace that shows up after a few polls', async () => {
    traceVisibleAfter = 3;
    const c = new JaegerClient(base);
    const t = await waitForTrace(c, CLIENT_TRACE, (x) => x.spans.length === 3 || 'not all spans yet', {
      description: 'the client trace',
      timeoutMs: 5000,
    });
    expect(t.traceId).toBe(CLIENT_TRACE);
  });

  it('on timeout says what it waited for and shows what did arrive', async () => {
    const c = new JaegerClient(base);
    const err = await waitForTrace(
      c,
      CLIENT_TRACE,
      (t) => (t.spans.some((s) => s.service === 'llm-d-epp') ? true : 'no EPP span yet'),
      {
        description: 'the client trace with an EPP span',
        timeoutMs: 300,
      },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const msg = (err as Error).message;
    expect(msg).toMatch(
      /^timed out after 0\.3s \(\d+ polls\) waiting for the client trace with an EPP span\nlast reason: no EPP span yet\nlast seen:\ntrace 5bf92f35/,
    );
    expect(msg).toMatch(/envoy-gateway {2}ingress {2}\[server\]/);
    const none = await waitForTraces(c, { service: 'nobody', since: new Date() }, (ts) => ts.length > 0 || 'none', {
      description: 'any trace',
      timeoutMs: 200,
    }).catch((e: Error) => e);
    expect((none as Error).message).toContain('last seen:\nno traces');
  });
});
