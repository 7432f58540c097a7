import type { AxiosInstance } from 'axios';
import { httpClient } from '../runtime/http';
import { fromOtlpJson, parseJsonChunks, type Trace } from './model';
import { jaegerLink } from './render';
import type { AbsenceJudge } from './wait';

export interface TraceQuery {
  service: string;
  operation?: string;
  since: Date;
  until?: Date;
  limit?: number;
}

/** RFC 3339 with nanoseconds, which api_v3 requires for its time bounds. */
function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * Jaeger v2's api_v3 query API. The snake_case parameter names are used because the camelCase ones only exist
 * from Jaeger v2.19 on, and `num_traces` is always sent because before v2.19 it had no default.
 */
export class JaegerClient {
  private readonly http: AxiosInstance;
  /** Traces of the flush horizon's sentinels: not the system's traffic, so searches leave them out. */
  private readonly sentinels = new Set<string>();
  /**
   * Decides absences for the trace waits on this client (flush-horizon.ts), instead of their deadlines; set by
   * whoever knows the topology's exporters (harness/scenario/sentinels.ts).
   */
  absence?: AbsenceJudge;

  constructor(
    readonly baseUrl: string,
    readonly uiUrl = baseUrl,
    /**
     * Why waiting on this Jaeger is pointless now (a component of the run died), or undefined: every trace wait
     * checks it before each poll and stops at once with that reason instead of waiting out its deadline.
     */
    readonly health: () => string | undefined = () => undefined,
  ) {
    this.http = httpClient({ baseURL: baseUrl });
  }

  /** A flush-horizon sentinel's trace: left out of every search from now on. */
  markSentinel(traceId: string): void {
    this.sentinels.add(traceId);
  }

  uiLink(traceId: string): string {
    return jaegerLink(this.uiUrl, traceId);
  }

  async getTrace(traceId: string): Promise<Trace | undefined> {
    const url = `/api/v3/traces/${traceId}`;
    const res = await this.http.get<string>(url);
    if (res.status === 404) return undefined;
    this.check(res.status, res.data, url);
    return fromOtlpJson(parseJsonChunks(res.data)).find((t) => t.traceId === traceId);
  }

  async findTraces(q: TraceQuery): Promise<Trace[]> {
    const params: Record<string, string> = {
      'query.service_name': q.service,
      'query.start_time_min': rfc3339Nano(q.since),
      'query.start_time_max': rfc3339Nano(q.until ?? new Date(Date.now() + 60000)),
      'query.num_traces': String(q.limit ?? 100),
    };
    if (q.operation) params['query.operation_name'] = q.operation;
    const res = await this.http.get<string>('/api/v3/traces', { params });
    // api_v3 answers an empty search with 404 "No traces found"; for a search that is just "none yet".
    if (res.status === 404) return [];
    this.check(res.status, res.data, `/api/v3/traces?${new URLSearchParams(params)}`);
    return fromOtlpJson(parseJsonChunks(res.data)).filter((t) => !this.sentinels.has(t.traceId));
  }

  async services(): Promise<string[]> {
    const res = await this.http.get<string>('/api/v3/services');
    this.check(res.status, res.data, '/api/v3/services');
    return (JSON.parse(res.data) as { services?: string[] }).services ?? [];
  }

  async operations(service: string): Promise<{ name: string; spanKind: string }[]> {
    const res = await this.http.get<string>('/api/v3/operations', { params: { service } });
    this.check(res.status, res.data, `/api/v3/operations?service=${service}`);
    return (JSON.parse(res.data) as { operations?: { name: string; spanKind: string }[] }).operations ?? [];
  }

  private check(status: number, body: string, url: string): void {
    if (status >= 200 && status < 300) return;
    throw new Error(`Jaeger ${this.baseUrl}${url} answered HTTP ${status}: ${body.slice(0, 300)}`);
  }
}
