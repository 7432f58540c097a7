import { join } from 'node:path';
import type { ManagedProcess } from '../runtime/managed-process';
import { httpProbe, waitReady } from '../runtime/readiness';
import type { RunContext } from '../runtime/run-context';

export interface EtcdPorts {
  client: number;
  peer: number;
}

/** A throw-away single-member etcd on loopback; fsync is off because its data dies with the run anyway. */
export function etcdArgs(dataDir: string, ports: EtcdPorts): string[] {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  return [
    '--name=e2e',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export async function startEtcd(
  ctx: RunContext,
  binary: string,
  ports: EtcdPorts,
): Promise<{ process: ManagedProcess; url: string }> {
  const process = ctx.registry.start({
    name: 'etcd',
    command: binary,
    args: etcdArgs(join(ctx.runDir, 'etcd'), ports),
    logFile: join(ctx.logsDir, 'etcd.log'),
  });
  const url = `http://127.0.0.1:${ports.client}`;
  await waitReady(
    'etcd /health',
    httpProbe(`${url}/health`, { accept: (s, body) => (s === 200 && body.includes('"true"') ? true : `${s} ${body}`) }),
    { timeoutMs: 30000, process },
  );
  return { process, url };
}
