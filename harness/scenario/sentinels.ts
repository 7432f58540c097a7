import { readFileSync } from 'node:fs';
import { ENVOY_FLUSH_INTERVAL_MS } from '../components/envoy';
import { EPP_BSP_SCHEDULE_DELAY_MS } from '../components/epp';
import { AGENT_BSP_SCHEDULE_DELAY_MS } from '../components/go-auto-agent';
import { processThroughEpp } from '../drivers/extproc/client';
import { newTraceparent } from '../drivers/openai';
import { MOCK_FLUSH_MS } from '../mock-vllm/tracing';
import { http } from '../runtime/http';
import type { Endpoints, Topology } from '../topology/types';
import { reachFlushHorizon, type HorizonVerdict, type SpanSource } from '../traces/flush-horizon';
import type { JaegerClient } from '../traces/jaeger-client';
import { SENTINEL_PATH } from '../traces/sentinel';
import type { AbsenceJudge } from '../traces/wait';

/** How much of a silent component's log the verdict quotes: its last lines about exporting. */
const LOG_LINES = 5;
// Lines about span export: the SDKs' and Envoy's exporter messages all name one of these.
const EXPORT_LINE = /export|otlp/i;

/** The exporters of a running topology, each with a way to make it end a span now. */
export function spanSources(e: Endpoints, jaeger?: JaegerClient): SpanSource[] {
  // An EPP that makes no spans (the KV-events EPP) injects no traceparent: its sentinel then reports exactly that,
  // and no scenario waits on traces there.
  const sources = [envoySource(e), ...e.models.map((m) => mockSource(e, m.name, m.url)), eppSource(e)];
  const agent = e.operator?.agent;
  if (agent && jaeger) sources.push(agentSource(agent.service, e.operator?.sidecarEnv ?? {}, jaeger));
  return sources;
}

/**
 * The operator-injected eBPF agent cannot be asked for a span; it makes one for each of the EPP's scrapes of the
 * model servers (net/http client, every few hundred ms). Its exporter is FIFO too, so a span of it that started
 * after the sentinel time, once in Jaeger, proves everything it ended before that time is there.
 */
function agentSource(service: string, env: Record<string, string>, jaeger: JaegerClient): SpanSource {
  const afterNs = (t: Date): bigint => BigInt(t.getTime()) * 1000000n;
  return {
    service,
    component: 'go-auto-agent',
    // The delay the agent runs with: the sidecar's, else the one its declaration sets.
    flushMs: Number(env.OTEL_BSP_SCHEDULE_DELAY ?? AGENT_BSP_SCHEDULE_DELAY_MS),
    sendSentinel: async () => 'its next span',
    arrived: async (_, sentAt) =>
      (await jaeger.findTraces({ service, since: sentAt })).some((t) =>
        t.spans.some((sp) => sp.service === service && sp.startNs > afterNs(sentAt)),
      ),
  };
}

/**
 * A sentinel request in a new sampled trace of ours: the trace id is marked before sending (so searches leave it out
 * even while it is on its way), and anything but 204 is an error naming who answered.
 */
async function sentinelRequest(
  who: string,
  method: 'get' | 'post',
  url: string,
  mark: (traceId: string) => void,
  signal: AbortSignal,
): Promise<string> {
  const tp = newTraceparent(true);
  mark(tp.traceId);
  const res = await http.request({ method, url, data: '', headers: { traceparent: tp.traceparent }, signal });
  if (res.status !== 204) throw new Error(`${who} answered its sentinel with HTTP ${res.status}: ${res.data}`);
  return tp.traceId;
}

/** Envoy answers the sentinel path itself (see renderEnvoyBootstrap): one ingress span in our trace. */
function envoySource(e: Endpoints): SpanSource {
  return {
    service: e.services.envoy,
    component: 'envoy',
    flushMs: ENVOY_FLUSH_INTERVAL_MS,
    sendSentinel: (mark, signal) => sentinelRequest('the gateway', 'get', `${e.gateway}${SENTINEL_PATH}`, mark, signal),
  };
}

/** The mock ends a sentinel span in the trace we give it (harness/mock-vllm/server.ts). */
function mockSource(e: Endpoints, name: string, url: string): SpanSource {
  return {
    service: e.services.mockVllm,
    component: name,
    flushMs: MOCK_FLUSH_MS,
    sendSentinel: (mark, signal) => sentinelRequest(name, 'post', `${url}${SENTINEL_PATH}`, mark, signal),
  };
}

/**
 * One ext_proc call, answered with a canned upstream response (no model server is involved): the EPP injects the
 * context of its own request span, which names the sentinel's trace. The EPP's sampler may drop it (flag 00);
 * the horizon then sends another.
 */
function eppSource(e: Endpoints): SpanSource {
  return {
    service: e.services.epp,
    component: 'epp',
    flushMs: EPP_BSP_SCHEDULE_DELAY_MS,
    async sendSentinel(mark) {
      const r = await processThroughEpp(e.extProc, {
        body: { model: e.models[0]?.model ?? 'sentinel', prompt: 'epp-e2e flush horizon sentinel', max_tokens: 1 },
        upstream: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' },
        timeoutMs: 3000,
      });
      const injected = r.requestHeaderMutation.set.traceparent;
      if (!injected) throw new Error('the EPP put no traceparent on the request it scheduled');
      const [, traceId, , flags] = injected.split('-');
      mark(traceId);
      return flags === '01' ? traceId : undefined;
    },
  };
}

/** The absence judge of a topology's trace waits: its span sources, and its logs for the silent ones. */
export function absenceJudge(
  topology: Pick<Topology, 'endpoints' | 'collectLogs'>,
  jaeger: JaegerClient,
): AbsenceJudge {
  const sources = spanSources(topology.endpoints, jaeger);
  return {
    reach: (signal, startedAt) =>
      reachFlushHorizon(sources, (id) => jaeger.getTrace(id), signal, {
        startedAt,
        onSentinel: (id) => jaeger.markSentinel(id),
      }),
    describeSilence: async (verdict) => {
      const logs = await topology.collectLogs().catch(() => ({}) as Record<string, string>);
      const known = await jaeger.services().catch(() => undefined);
      return describeSilence(verdict, logs, known);
    },
  };
}

/**
 * "trace incomplete: service S exported nothing since T", per silent service, with what Jaeger has of it and
 * what its log says about exporting.
 */
export function describeSilence(
  verdict: Extract<HorizonVerdict, { complete: false }>,
  logs: Record<string, string>,
  servicesInJaeger: string[] | undefined,
): string {
  return verdict.silent
    .map((s) => {
      const who = s.component === s.service ? s.service : `${s.service} (${s.component})`;
      const lines = [
        `trace incomplete: service ${who} exported nothing since ${s.sentAt.toISOString()}: ${s.why} ` +
          `(its exporter flushes every ${s.flushMs} ms)`,
      ];
      if (servicesInJaeger && !servicesInJaeger.includes(s.service)) {
        lines.push(`  Jaeger holds no span of ${s.service} at all`);
      }
      lines.push(`  ${exportLines(logs[s.component], s.component)}`);
      return lines.join('\n');
    })
    .join('\n');
}

function exportLines(file: string | undefined, component: string): string {
  if (!file) return `no log of ${component} to quote`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `its log ${file} could not be read: ${(err as Error).message}`;
  }
  const hits = text.split('\n').filter((l) => EXPORT_LINE.test(l));
  if (!hits.length) return `its log (${file}) says nothing about exporting`;
  return `its log (${file}) on exporting, last ${Math.min(LOG_LINES, hits.length)} of ${hits.length} lines:\n    ${hits
    .slice(-LOG_LINES)
    .map((l) => l.slice(0, 400))
    .join('\n    ')}`;
}
