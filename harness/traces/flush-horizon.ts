import { poll, PollError } from '../runtime/poll';
import type { Trace } from './model';

/**
 * Trace completeness: deciding that everything a request caused has reached Jaeger, so that an absent span is
 * a finding ("trace complete; span X absent") and not a timeout.
 *
 * Why a sentinel proves it: every exporter in a topology is a FIFO batch pipeline with a short, known flush
 * interval (the EPP's Go BatchSpanProcessor with OTEL_BSP_SCHEDULE_DELAY, Envoy's OpenTelemetry tracer with
 * its flush_interval_ms, the mock's BatchSpanProcessor). A span ended before the sentinel span is queued before
 * it and exported in the same batch or an earlier one; Jaeger's receiver hands batches to one batch processor
 * that writes them to storage in order. So once a service's sentinel span is queryable, every span that service
 * ended before the sentinel is queryable too. Once every service's sentinel is, the trace is complete.
 * A sentinel that does not arrive within a bound far above the flush interval means that service's exporter
 * is not delivering: "trace incomplete: service S sent nothing after T", naming the service.
 */

/** One exporter of the topology and how to make it emit a span now. */
export interface SpanSource {
  /** The service name its spans carry in Jaeger. */
  service: string;
  /** Which process it is (its log's name), e.g. `epp`, `envoy`, `mock-vllm-1`. */
  component: string;
  /** How often its exporter flushes, as the topology configures it (for the report, and the deadline). */
  flushMs: number;
  /**
   * Makes the source end one span now and returns the trace id that span is in, or undefined when this attempt
   * made no span worth waiting for (e.g. the EPP's own sampler dropped it): the horizon tries again. `mark` is
   * told the trace id as soon as it is known (before sending, where the caller picks it), so that searches leave
   * the sentinel's trace out even if they run while it is on its way.
   */
  sendSentinel(mark: (traceId: string) => void, signal: AbortSignal): Promise<string | undefined>;
  /**
   * Whether the sentinel is queryable. By default: its trace holds a span of this service. A source that cannot
   * be asked for a span (the eBPF agent, whose spans come from the EPP's own traffic) instead waits for any span of
   * its service that started after the sentinel was "sent".
   */
  arrived?(sentinel: string, sentAt: Date): Promise<boolean>;
}

export interface SourceArrival {
  service: string;
  component: string;
  /** From the wait's start to the sentinel being queryable in Jaeger. */
  arrivedAfterMs: number;
}

export interface SourceSilence {
  service: string;
  component: string;
  flushMs: number;
  /** When its (last) sentinel was sent: it exported nothing Jaeger holds after that. */
  sentAt: Date;
  /** Why no sentinel was sent or seen (an error sending it, or none arrived in time). */
  why: string;
}

export type HorizonVerdict =
  | { complete: true; arrivals: SourceArrival[]; reachedAfterMs: number }
  | { complete: false; arrivals: SourceArrival[]; silent: SourceSilence[] };

export interface HorizonOptions {
  /** How long a sentinel may take to be queryable: far above any flush interval, so missing it is a fault. */
  deadlineMs?: number;
  /** Jaeger polls while waiting for sentinels. */
  pollMs?: number;
  /** Told each sentinel trace id, so searches can leave these traces out (they are not the system's traffic). */
  onSentinel?: (traceId: string) => void;
  /** Where the clock starts for the report (the wait's start). */
  startedAt?: number;
}

export const SENTINEL_DEADLINE_MS = 5000;

/**
 * Sends every source's sentinel at once and waits until each is in Jaeger (complete) or its deadline passes
 * (incomplete, naming the silent sources).
 */
export async function reachFlushHorizon(
  sources: readonly SpanSource[],
  getTrace: (traceId: string) => Promise<Trace | undefined>,
  signal: AbortSignal,
  opts: HorizonOptions = {},
): Promise<HorizonVerdict> {
  const startedAt = opts.startedAt ?? Date.now();
  const results = await Promise.all(sources.map((s) => awaitSentinel(s, getTrace, signal, { ...opts, startedAt })));
  const arrivals = results.filter((r): r is SourceArrival => 'arrivedAfterMs' in r);
  const silent = results.filter((r): r is SourceSilence => 'why' in r);
  if (silent.length) return { complete: false, arrivals, silent };
  return { complete: true, arrivals, reachedAfterMs: Date.now() - startedAt };
}

async function awaitSentinel(
  source: SpanSource,
  getTrace: (traceId: string) => Promise<Trace | undefined>,
  signal: AbortSignal,
  opts: HorizonOptions & { startedAt: number },
): Promise<SourceArrival | SourceSilence> {
  // A source with a slow exporter (the agent's default 5 s batch delay) gets a few of its intervals.
  const timeoutMs = Math.max(opts.deadlineMs ?? SENTINEL_DEADLINE_MS, 3 * source.flushMs);
  const pollMs = opts.pollMs ?? 50;
  let sentAt = new Date();
  let traceId: string | undefined;
  /** One try: send the sentinel if none is on its way (or the last made no sampled span), then look for it. */
  const tryOnce = async (): Promise<true | string> => {
    if (!traceId) {
      sentAt = new Date();
      traceId = await source.sendSentinel((id) => opts.onSentinel?.(id), signal);
      if (!traceId) return 'every sentinel it was sent made no sampled span';
    }
    const id = traceId;
    const arrived = source.arrived
      ? await source.arrived(id, sentAt)
      : (await getTrace(id))?.spans.some((sp) => sp.service === source.service);
    if (arrived) return true;
    const later = `${((Date.now() - sentAt.getTime()) / 1000).toFixed(1)} s`;
    return source.arrived
      ? `no span of it that started after ${sentAt.toISOString()} was in Jaeger ${later} later`
      : `its sentinel span (trace ${id}) was not in Jaeger ${later} after it was sent`;
  };
  const ended = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  let why = 'no sentinel span was made';
  try {
    await poll(
      async () => {
        try {
          return await tryOnce();
        } catch (err) {
          return `sending its sentinel failed: ${(err as Error).message}`;
        }
      },
      (v) => v,
      {
        timeoutMs,
        intervalMs: pollMs,
        maxIntervalMs: pollMs,
        interrupt: ended,
        abortIf: () => (signal.aborted ? 'the wait that asked for it ended' : undefined),
      },
    );
    return { service: source.service, component: source.component, arrivedAfterMs: Date.now() - opts.startedAt };
  } catch (err) {
    if (!(err instanceof PollError)) throw err;
    why = err.lastReason;
  }
  return { service: source.service, component: source.component, flushMs: source.flushMs, sentAt, why };
}

/** "envoy-gateway 0.21 s, llm-d-epp 0.30 s, mock-vllm (mock-vllm-0) 0.18 s": when each sentinel was in. */
export function describeArrivals(arrivals: readonly SourceArrival[]): string {
  return arrivals
    .map(
      (a) =>
        `${a.service}${a.component === a.service ? '' : ` (${a.component})`} ${(a.arrivedAfterMs / 1000).toFixed(2)} s`,
    )
    .join(', ');
}
