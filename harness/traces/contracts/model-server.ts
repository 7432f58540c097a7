import type { EppContract } from './types';

/**
 * What a vLLM model server emits for one request: exactly one `llm_request` SERVER span (vllm/tracing.py,
 * OutputProcessor.do_tracing). Checked with the same contract check as the EPP's, so a renamed span shows as
 * both a missing and an unexpected name.
 */
export const MODEL_SERVER_CONTRACT: EppContract = {
  eppVersion: 'vllm',
  subject: "the model server (vLLM's llm_request)",
  basis: 'source-reading',
  joinsIncomingTrace: true,
  spans: [{ name: 'llm_request', kind: 'server', role: 'model', requiredAttributes: ['gen_ai.response.model'] }],
  notes: 'vLLM creates llm_request when the request finishes, parented by the incoming traceparent.',
};
