/**
 * Records the traces of an EPP binary for fixtures/traces (README there says which recording came from which
 * command): brings up the local topology with `--epp-binary` (and an llm-d plugin configuration), sends one
 * request through Envoy with a client traceparent, waits until Jaeger holds every span the contract names for
 * that configuration, and writes Jaeger's raw api_v3 answer. With the kv-events configuration it first publishes
 * BlockStored for the prompt's blocks (so the precise prefix cache has something to find) and also records one
 * KV-event indexing trace. Nothing here builds an EPP: the binary is someone else's build.
 *
 *   node -r ./bin/ts-register.js harness/record/main.ts \
 *     --epp-binary PATH --epp-contract llm-d-router-v0.10.0 [--epp-plugins pd|kv-events] --name NAME
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveRunOptions } from '../config/run-options';
import { http } from '../runtime/http';
import { newTraceparent, sendCompletion } from '../drivers/openai';
import { KvEventsDriver } from '../drivers/kv-events';
import { startTopology } from '../topology/start';
import { KV_BLOCK_SIZE } from '../topology/local/local-topology';
import { contractFor, contractSpans, JaegerClient, renderTrace, waitForTrace, waitForTraces } from '../traces';
import { FIXTURES_DIR } from '../traces/recorded';

const progress = (m: string): void => void process.stderr.write(`[record] ${m}\n`);

/** Token ids the estimate tokenizer passes through unchanged: two full KV blocks. */
const PROMPT_TOKENS = Array.from({ length: 2 * KV_BLOCK_SIZE }, (_, i) => 1000 + i);

async function rawTrace(jaegerQuery: string, traceId: string): Promise<string> {
  const res = await http.get<string>(`${jaegerQuery}/api/v3/traces/${traceId}`);
  if (res.status !== 200) throw new Error(`Jaeger answered ${res.status} for trace ${traceId}`);
  return res.data;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'epp-binary': { type: 'string' },
      'epp-contract': { type: 'string' },
      'epp-plugins': { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (!values['epp-binary'] || !values.name) throw new Error('usage: --epp-binary PATH --name NAME [...]');
  const opts = resolveRunOptions({
    topology: 'local',
    models: 2,
    eppBinary: values['epp-binary'],
    eppContract: values['epp-contract'],
    eppPlugins: values['epp-plugins'],
  });
  const contract = contractFor(opts.eppVersion);
  const spans = contractSpans(contract, opts.eppPlugins);
  const topology = await startTopology(opts, progress);
  try {
    const e = topology.endpoints;
    const jaeger = new JaegerClient(e.jaegerQuery, e.jaegerUi);
    const model = e.models[0].model;
    let kvIndexTrace: string | undefined;
    if (opts.eppPlugins === 'kv-events') {
      const kv = new KvEventsDriver(e.kvEvents!, e.eppMetrics);
      try {
        // The index's admissions counter says the EPP's SUB socket receives (PUB/SUB drops early messages).
        await kv.readyByAdmissions(e.models[0].address, 'kvcache_index_admissions_total', KV_BLOCK_SIZE);
        const since = new Date();
        const before = await kv.counter('kvcache_index_admissions_total');
        for (const m of e.models) await kv.blockStored(m.address, model, PROMPT_TOKENS, KV_BLOCK_SIZE);
        await kv.waitForCounter('kvcache_index_admissions_total', before + 1, 'the prompt blocks indexed');
        const [t] = await waitForTraces(
          jaeger,
          { service: e.services.epp, operation: 'llm_d.kv_cache.index.add', since },
          (ts) => ts.length > 0 || 'no llm_d.kv_cache.index.add trace yet',
          { description: 'a KV-event indexing trace' },
        );
        kvIndexTrace = t.traceId;
      } finally {
        await kv.close();
      }
    }
    const client = newTraceparent(true);
    const res = await sendCompletion(e.gateway, {
      model,
      prompt: opts.eppPlugins === 'kv-events' ? PROMPT_TOKENS : 'Say hello to the endpoint picker.',
      maxTokens: 2,
      headers: { traceparent: client.traceparent },
    });
    if (res.status !== 200) throw new Error(`the request failed: ${res.status} ${res.body}`);
    progress(`served by ${res.servedBy}`);
    const t = await waitForTrace(
      jaeger,
      client.traceId,
      (x) => {
        const missing = spans.filter((s) => !s.optional && !x.spans.some((y) => y.name === s.name)).map((s) => s.name);
        if (!x.spans.some((y) => y.service === e.services.mockVllm)) missing.push('llm_request');
        return missing.length === 0 || `missing ${missing.join(', ')}`;
      },
      { description: `client trace ${client.traceId} with every span of ${contract.eppVersion}`, timeoutMs: 30000 },
    );
    process.stdout.write(renderTrace(t) + '\n');
    const out = join(FIXTURES_DIR, `recorded-${values.name}.json`);
    writeFileSync(out, await rawTrace(e.jaegerQuery, client.traceId));
    progress(`wrote ${out}`);
    if (kvIndexTrace) {
      const kvOut = join(FIXTURES_DIR, `recorded-${values.name}-index-add.json`);
      writeFileSync(kvOut, await rawTrace(e.jaegerQuery, kvIndexTrace));
      progress(`wrote ${kvOut}`);
    }
  } finally {
    await topology.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`[record] ${err.message}\n`);
    process.exit(1);
  },
);
