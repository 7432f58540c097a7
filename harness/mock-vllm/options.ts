import { parseArgs } from 'node:util';
import { parseFaults, type Fault } from './faults';
import type { BlockHashScheme, KvEventLayout } from './kv-events';

export interface MockVllmOptions {
  host: string;
  port: number;
  model: string;
  podName: string;
  otlpEndpoint?: string;
  serviceName: string;
  kvEventsEndpoint?: string;
  kvTopicAddress?: string;
  blockSize: number;
  /** How prompts become token ids: `bytes` (llm-d's estimate packing) or `words` (the harness's word-level tokenizer). */
  tokenizer: 'bytes' | 'words';
  kvHash: BlockHashScheme;
  kvHashSeed: string;
  kvLayout: KvEventLayout;
  faults: Set<Fault>;
  resourceAttributes: Record<string, string>;
}

export class UsageError extends Error {}

/** Flags first, then MOCK_VLLM_* environment variables (the container form), then defaults. */
export function parseMockVllmOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): MockVllmOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      model: { type: 'string' },
      'pod-name': { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      'service-name': { type: 'string' },
      'kv-events-endpoint': { type: 'string' },
      'kv-topic-address': { type: 'string' },
      'block-size': { type: 'string' },
      tokenizer: { type: 'string' },
      'kv-hash': { type: 'string' },
      'kv-hash-seed': { type: 'string' },
      'kv-layout': { type: 'string' },
      faults: { type: 'string' },
      'resource-attributes': { type: 'string' },
    },
  });
  const pick = (flag: keyof typeof values, envName: string): string | undefined =>
    (values[flag] as string | undefined) ?? env[`MOCK_VLLM_${envName}`];
  const portText = pick('port', 'PORT');
  const port = Number(portText);
  if (portText === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port is required and must be 0-65535, got ${portText ?? 'nothing'}`);
  }
  const model = pick('model', 'MODEL');
  if (!model) throw new UsageError('--model is required');
  const blockText = pick('block-size', 'BLOCK_SIZE') ?? '16';
  const blockSize = Number(blockText);
  if (!Number.isInteger(blockSize) || blockSize < 1)
    throw new UsageError(`--block-size must be a positive integer, got ${blockText}`);
  const oneOf = <T extends string>(flag: keyof typeof values, envName: string, valid: readonly T[], dflt: T): T => {
    const v = pick(flag, envName) ?? dflt;
    if (!(valid as readonly string[]).includes(v))
      throw new UsageError(`--${flag} must be one of ${valid.join(', ')}, got ${v}`);
    return v as T;
  };
  const tokenizer = oneOf('tokenizer', 'TOKENIZER', ['bytes', 'words'] as const, 'bytes');
  const kvHash = oneOf('kv-hash', 'KV_HASH', ['fnv', 'sha256-cbor'] as const, 'fnv');
  const kvLayout = oneOf('kv-layout', 'KV_LAYOUT', ['with-lora-name', 'without-lora-name'] as const, 'with-lora-name');
  let faults: Set<Fault>;
  try {
    faults = parseFaults((pick('faults', 'FAULTS') ?? '').split(','));
  } catch (err) {
    throw new UsageError(`--faults: ${(err as Error).message}`);
  }
  const resourceAttributes: Record<string, string> = {};
  for (const pair of (pick('resource-attributes', 'RESOURCE_ATTRIBUTES') ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--resource-attributes: "${pair}" is not key=value`);
    resourceAttributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    host: pick('host', 'HOST') ?? '127.0.0.1',
    port,
    model,
    podName: pick('pod-name', 'POD_NAME') ?? 'mock-vllm',
    otlpEndpoint: pick('otlp-endpoint', 'OTLP_ENDPOINT'),
    serviceName: pick('service-name', 'SERVICE_NAME') ?? 'mock-vllm',
    kvEventsEndpoint: pick('kv-events-endpoint', 'KV_EVENTS_ENDPOINT'),
    kvTopicAddress: pick('kv-topic-address', 'KV_TOPIC_ADDRESS'),
    blockSize,
    tokenizer,
    kvHash,
    kvHashSeed: pick('kv-hash-seed', 'KV_HASH_SEED') ?? '',
    kvLayout,
    faults,
    resourceAttributes,
  };
}
