/**
 * The attribute keys of vLLM's `llm_request` span (vllm/tracing.py SpanAttributes), in one place so tests
 * and scenarios never spell them by hand.
 */
export const LLM_REQUEST_SPAN = 'llm_request';

export const GenAi = {
  REQUEST_ID: 'gen_ai.request.id',
  RESPONSE_MODEL: 'gen_ai.response.model',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  REQUEST_N: 'gen_ai.request.n',
  USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
  LATENCY_TIME_IN_QUEUE: 'gen_ai.latency.time_in_queue',
  LATENCY_TIME_TO_FIRST_TOKEN: 'gen_ai.latency.time_to_first_token',
  LATENCY_E2E: 'gen_ai.latency.e2e',
  LATENCY_TIME_IN_MODEL_PREFILL: 'gen_ai.latency.time_in_model_prefill',
  LATENCY_TIME_IN_MODEL_DECODE: 'gen_ai.latency.time_in_model_decode',
  LATENCY_TIME_IN_MODEL_INFERENCE: 'gen_ai.latency.time_in_model_inference',
} as const;
