import { httpProbe } from '../runtime/readiness';
import { binaryCommand, type ComponentDeclaration } from './declaration';

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

/** A throw-away single-member etcd; its data lives in the run's folder until it exits. */
export const etcd: ComponentDeclaration<Record<string, never>, keyof EtcdPorts, { url: string }> = {
  name: 'etcd',
  ports: ['client', 'peer'],
  command: binaryCommand('etcd'),
  args: (_, ports, fileAt) => etcdArgs(fileAt('etcd'), ports),
  scratch: ['etcd'],
  readiness: (_, { ports }) => [
    {
      what: 'etcd /health',
      probe: httpProbe(`http://127.0.0.1:${ports.client}/health`, {
        accept: (s, body) => (s === 200 && body.includes('"true"') ? true : `${s} ${body}`),
      }),
      timeoutMs: 30000,
    },
  ],
  outputs: (_, { placement }) => ({ url: `http://127.0.0.1:${placement.ports.client}` }),
  // Only locally: on kind the cluster has its own.
  wiring: {
    after: [],
    instances: (run) => (run.topology === 'local' ? [{}] : []),
    binary: (tools) => tools.etcd,
  },
};
