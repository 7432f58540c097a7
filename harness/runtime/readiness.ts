import * as grpc from '@grpc/grpc-js';
import { http } from './http';
import { Agent } from 'node:https';
import type { ManagedProcess } from './managed-process';
import { poll, PollError } from './poll';

/** A probe answers `true` when ready, or a short reason why not yet. */
export type Probe = () => Promise<true | string>;

export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** If this process exits while we wait, stop waiting and say so, with its log. */
  process?: ManagedProcess;
  /** A probe error that no amount of waiting fixes: rethrown at once instead of retried. */
  stopOn?: (err: unknown) => boolean;
}

/**
 * Polls a readiness probe until it passes. Fails fast, with the component's log tail, when the component
 * dies, and on the deadline says what it waited for and the last reason it was not ready.
 */
export async function waitReady(what: string, probe: Probe, opts: WaitOptions): Promise<void> {
  const proc = opts.process;
  const logTail = (): string => (proc ? `\n--- last lines of ${proc.spec.logFile}\n${proc.logTail()}` : '');
  try {
    await poll(probe, (r) => r, {
      timeoutMs: opts.timeoutMs,
      // A local probe costs a few ms; a start-up is a chain of waits (etcd, API server, operator, EPP, agent), and
      // poll's default backoff to 1 s let each one's readiness go unseen for up to a second.
      intervalMs: opts.intervalMs ?? 50,
      maxIntervalMs: opts.intervalMs ?? 200,
      stopOn: opts.stopOn,
      abortIf: () => (proc && !proc.isRunning() ? `${what}: ${proc.describeExit()} before it was ready.` : undefined),
    });
  } catch (err) {
    if (!(err instanceof PollError)) throw err;
    if (err.aborted) throw new NotReadyError(`${err.message}${logTail()}`);
    throw new NotReadyError(
      `${what}: not ready after ${Math.round(opts.timeoutMs / 1000)}s (last: ${err.lastReason})${logTail()}`,
    );
  }
}

export function httpProbe(
  url: string,
  opts: {
    ca?: string | Buffer;
    headers?: Record<string, string>;
    accept?: (status: number, body: string) => true | string;
  } = {},
): Probe {
  const httpsAgent = opts.ca ? new Agent({ ca: opts.ca }) : undefined;
  return async () => {
    const res = await http.get<string>(url, { headers: opts.headers, httpsAgent, timeout: 2000 });
    if (opts.accept) return opts.accept(res.status, res.data);
    return res.status === 200 ? true : `HTTP ${res.status} from ${url}`;
  };
}

/** The standard gRPC health check (grpc.health.v1.Health/Check), as Envoy and Kubernetes probes use it. */
export function grpcHealthProbe(address: string, service = ''): Probe {
  return () =>
    new Promise((resolve) => {
      const client = new grpc.Client(address, grpc.credentials.createInsecure());
      const deadline = new Date(Date.now() + 2000);
      // HealthCheckRequest { string service = 1; } and HealthCheckResponse { ServingStatus status = 1; },
      // encoded by hand: two one-field messages do not justify a proto loader.
      const svc = Buffer.from(service, 'utf8');
      const request = service ? Buffer.concat([Buffer.from([0x0a, svc.length]), svc]) : Buffer.alloc(0);
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        { deadline },
        (err, res) => {
          client.close();
          if (err) return resolve(`gRPC health ${address}: ${err.message}`);
          const status = res && res.length >= 2 && res[0] === 0x08 ? res[1] : 0;
          const names = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
          resolve(status === 1 ? true : `gRPC health ${address} says ${names[status] ?? status}`);
        },
      );
    });
}
