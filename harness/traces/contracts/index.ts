import { gieV140 } from './gie-v1.4.0';
import { gieV150 } from './gie-v1.5.0';
import { llmDInferenceSchedulerV080 } from './llm-d-inference-scheduler';
import { llmDRouterV0100, llmDRouterV090 } from './llm-d-router';
import type { EppContract } from './types';

export * from './types';
export { MODEL_SERVER_CONTRACT } from './model-server';
export { kvEventsContractFor, kvTopicEndpoint, type KvEventsContract } from './kv-events';

export const CONTRACTS: Record<string, EppContract> = {
  [gieV140.eppVersion]: gieV140,
  [gieV150.eppVersion]: gieV150,
  [llmDRouterV090.eppVersion]: llmDRouterV090,
  [llmDRouterV0100.eppVersion]: llmDRouterV0100,
  [llmDInferenceSchedulerV080.eppVersion]: llmDInferenceSchedulerV080,
};

/** The contract of a run's EPP, or undefined for an EPP binary with none (only topology-level checks run). */
export function findContract(eppVersion: string): EppContract | undefined {
  return CONTRACTS[eppVersion];
}

export function contractFor(eppVersion: string): EppContract {
  const c = CONTRACTS[eppVersion];
  if (!c) throw new Error(`no span contract for EPP ${eppVersion}; known: ${Object.keys(CONTRACTS).join(', ')}`);
  return c;
}
