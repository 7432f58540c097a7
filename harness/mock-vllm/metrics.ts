/** The counters and gauges the mock keeps, rendered with the vLLM names the EPP scrapes by default. */
export interface MetricsState {
  running: number;
  waiting: number;
  promptTokens: number;
  generationTokens: number;
  successes: number;
}

export function newMetricsState(): MetricsState {
  return { running: 0, waiting: 0, promptTokens: 0, generationTokens: 0, successes: 0 };
}

export const KV_CACHE_BLOCKS = 1024;

export function renderMetrics(model: string, blockSize: number, s: MetricsState, startedAtSeconds: number): string {
  const label = `model_name="${model}"`;
  // A rough, monotone stand-in for KV-cache use: a fraction per request in flight.
  const kvUsage = Math.min(1, s.running * 0.05);
  const lines = [
    '# HELP vllm:num_requests_running Number of requests currently running.',
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{${label}} ${s.running}`,
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{${label}} ${s.waiting}`,
    '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{${label}} ${kvUsage}`,
    '# HELP vllm:lora_requests_info Running stats on lora requests.',
    '# TYPE vllm:lora_requests_info gauge',
    `vllm:lora_requests_info{max_lora="1",running_lora_adapters="",waiting_lora_adapters=""} ${startedAtSeconds}`,
    '# HELP vllm:cache_config_info Information of the KV cache configuration.',
    '# TYPE vllm:cache_config_info gauge',
    `vllm:cache_config_info{block_size="${blockSize}",num_gpu_blocks="${KV_CACHE_BLOCKS}"} 1`,
    '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.',
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total{${label}} ${s.promptTokens}`,
    '# HELP vllm:generation_tokens_total Number of generation tokens processed.',
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total{${label}} ${s.generationTokens}`,
    '# HELP vllm:request_success_total Count of successfully processed requests.',
    '# TYPE vllm:request_success_total counter',
    `vllm:request_success_total{${label},finished_reason="length"} ${s.successes}`,
  ];
  return lines.join('\n') + '\n';
}
