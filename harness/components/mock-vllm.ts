import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { faultsOf } from '../faults/types';
import { REPO_ROOT } from '../tools/versions';
import { httpProbe } from '../runtime/readiness';
import { kvEventsContractFor, kvTopicEndpoint } from '../traces/contracts';
import { type ComponentDeclaration } from './declaration';
import { eppKvEventsEndpoint, eppName, KV_BLOCK_SIZE, KV_HASH_SEED, MODEL_SERVER_POD, modelServerIp } from './epp';
import { jaegerOtlp } from './jaeger';
import { PD_ROLE_LABEL } from './llmd-plugins';
import { MOCK_VLLM_SERVICE } from './service-names';

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

/** A model server of a local run as the EPP sees it: its Pod's name, IP and extra labels. */
export interface ModelServer {
  name: string;
  ip: string;
  labels?: Record<string, string>;
}

/**
 * The model servers of a local run: one Pod each, on a loopback IP of its own and all on one port, as on kind.
 * In an llm-d P/D run (--epp-plugins pd) the first is the prefill server, the others decode (llm-d.ai/role).
 */
export function modelServers(opts: RunOptions): ModelServer[] {
  return Array.from({ length: opts.models }, (_, i) => ({
    name: `mock-vllm-${i}`,
    ip: modelServerIp(i),
    ...(opts.eppPlugins === 'pd' ? { labels: { [PD_ROLE_LABEL]: i === 0 ? 'prefill' : 'decode' } } : {}),
  }));
}

/** One mock vLLM server; its config without its port (that is its named port `http`). */
export const mockVllm: ComponentDeclaration<
  Omit<MockVllmLaunch, 'port'>,
  'http',
  /** Its endpoint name and host:port, as the EPP names and addresses it. */
  { name: string; address: string }
> = {
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
    values: (m, ports, run) => ({
      mockVllmArgs: mockVllmServerArgs({ ...m, port: ports.http }, m.host),
      mockVllmImage: run.pins.kind.mockVllmImage,
      models: run.opts.models,
      modelServerApp: MODEL_SERVER_POD,
    }),
  },
  outputs: (m, { placement }) => ({ name: m.name, address: `${m.host ?? '127.0.0.1'}:${placement.ports.http}` }),
  wiring: {
    after: [],
    localHosts: (opts) => modelServers(opts).map((m) => m.ip),
    instances: (run) => {
      const common = {
        model: run.opts.modelName,
        otlpEndpoint: jaegerOtlp(run).otlpGrpc,
        serviceName: MOCK_VLLM_SERVICE,
        faults: faultsOf(run.opts.faults, 'mock-vllm'),
      };
      // One Deployment of `models` replicas; the kubelet expands $(POD_NAME) from the pod's env: each pod reports
      // its own name.
      if (run.topology === 'kind') return [{ name: '$(POD_NAME)', host: '0.0.0.0', ...common }];
      const kvEvents = eppKvEventsEndpoint(run);
      // The mocks publish their blocks as the KV-events EPP expects them (its contract: topic, layout, keys).
      const contract = run.opts.kvEventsEpp ? kvEventsContractFor(eppName(run)) : undefined;
      return modelServers(run.opts).map((m) => ({
        name: m.name,
        host: m.ip,
        ...common,
        ...(kvEvents && contract
          ? {
              kvEventsEndpoint: kvEvents,
              kv: {
                topicAddress: kvTopicEndpoint(contract, `${m.ip}:${run.ports[mockVllm.name].http}`),
                tokenizer: 'words' as const,
                hashing: contract.hashing,
                hashSeed: KV_HASH_SEED,
                layout: contract.layout,
                blockSize: KV_BLOCK_SIZE,
              },
            }
          : {}),
      }));
    },
    starting: (run) => `starting ${run.opts.models} mock vLLM server(s)`,
  },
};
