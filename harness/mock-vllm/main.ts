// Entry point of the mock vLLM: `node -r ./bin/ts-register.js harness/mock-vllm/main.ts --port P --model M`.
import { parseMockVllmOptions, UsageError } from './options';
import { startMockVllm } from './server';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseMockVllmOptions(process.argv.slice(2));
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`mock-vllm: ${e.message}\n`);
    process.exit(e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  }
  const server = await startMockVllm(opts);
  process.stdout.write(`mock-vllm ready on ${server.url} model=${opts.model}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Flushes the spans still in the batch processor before exiting.
    void server.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
