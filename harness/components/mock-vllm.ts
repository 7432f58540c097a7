import { join } from 'node:path';
import { REPO_ROOT } from '../tools/versions';
import { httpProbe } from '../runtime/readiness';
import type { ComponentDeclaration } from './declaration';

export interface MockVllmLaunch {
  name: string;
  /** Where it listens locally (its Pod IP); a kind pod listens on 0.0.0.0. */
  host?: string;
  port: number;
  model: string;
  otlpEndpoint?: string;
  serviceName: string;
  kvEventsEndpoint?: string;
  /** What the KV-event consumer expects: the topic's endpoint address, tokenizer, block keys and layout. */
  kv?: MockKvWire;
  faults: string[];
}

export interface MockKvWire {
  topicAddress: string;
  tokenizer: 'bytes' | 'words';
  hashing: 'fnv' | 'sha256-cbor';
  hashSeed: string;
  layout: 'with-lora-name' | 'without-lora-name';
  blockSize: number;
}

/** The mock's own flags, the same for a local process and a kind pod (which listens on 0.0.0.0). */
export function mockVllmServerArgs(m: MockVllmLaunch, host = '127.0.0.1'): string[] {
  const args = [
    `--host=${host}`,
    `--port=${m.port}`,
    `--model=${m.model}`,
    `--pod-name=${m.name}`,
    `--service-name=${m.serviceName}`,
  ];
  if (m.otlpEndpoint) args.push(`--otlp-endpoint=${m.otlpEndpoint}`);
  if (m.kvEventsEndpoint) args.push(`--kv-events-endpoint=${m.kvEventsEndpoint}`);
  if (m.kv) {
    args.push(
      `--kv-topic-address=${m.kv.topicAddress}`,
      `--tokenizer=${m.kv.tokenizer}`,
      `--kv-hash=${m.kv.hashing}`,
      `--kv-hash-seed=${m.kv.hashSeed}`,
      `--kv-layout=${m.kv.layout}`,
      `--block-size=${m.kv.blockSize}`,
    );
  }
  if (m.faults.length) args.push(`--faults=${m.faults.join(',')}`);
  return args;
}

/** node's arguments before the mock's own flags: its entry point, loaded through the cached TypeScript loader. */
function mockVllmEntry(): string[] {
  return [
    '-r',
    // The harness's cached TypeScript loader: a warm start transpiles nothing (ts-node: ~1.7 s of CPU per mock).
    join(REPO_ROOT, 'bin', 'ts-register.js'),
    // Override for trying the harness against another model server entry point.
    process.env.EPP_E2E_MOCK_VLLM_MAIN ?? join(REPO_ROOT, 'harness', 'mock-vllm', 'main.ts'),
  ];
}

export function mockVllmArgs(m: MockVllmLaunch): string[] {
  return [...mockVllmEntry(), ...mockVllmServerArgs(m, m.host)];
}

/** One mock vLLM server; its config without its port (that is its named port `http`). */
export const mockVllm: ComponentDeclaration<Omit<MockVllmLaunch, 'port'>, 'http'> = {
  name: 'mock-vllm',
  instanceName: (m) => m.name,
  ports: ['http'],
  command: () => [process.execPath, ...mockVllmEntry()],
  cwd: REPO_ROOT,
  args: (m, ports) => mockVllmServerArgs({ ...m, port: ports.http }, m.host),
  readiness: (m, { ports }) => [
    {
      what: `${m.name} /health`,
      probe: httpProbe(`http://${m.host ?? '127.0.0.1'}:${ports.http}/health`),
      timeoutMs: 30000,
    },
  ],
  manifest: {
    template: 'mock-vllm.yaml',
    ports: { http: 8000 },
    waitForDeployments: ['mock-vllm'],
    values: (m, ports) => ({ mockVllmArgs: mockVllmServerArgs({ ...m, port: ports.http }, m.host) }),
  },
};
