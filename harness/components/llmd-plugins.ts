/**
 * Plugin configurations of the llm-d-router EPPs (v0.9.0, v0.10.0) beyond their default one, for the recordings
 * of fixtures/traces (README there): P/D disaggregation and the precise prefix cache fed by KV events. Plugin
 * types and parameters as the tags register them (llm-d-router, files named on each), not copied from upstream:
 *
 * - `pd`: disagg-profile-handler (profilehandler/disagg/disagg_profile_handler.go:32) with always-disagg-pd-decider
 *   (always_disagg_pd_decider.go:13), so every request runs the prefill and the decode profile deterministically
 *   (the prefix-based decider disaggregates only past a number of uncached tokens). prefill-filter and
 *   decode-filter select by the pod label llm-d.ai/role (filter/bylabel/roles.go:11), which the local topology
 *   sets on a prefill pod and a decode pod (PD_ROLE_LABEL).
 * - `kv-events`: precise-prefix-cache-producer (dataproducer/preciseprefixcache/producer.go:48) with a global
 *   ZeroMQ socket it binds (kvEventsConfig.zmqEndpoint; producer.go:193-198), scored by prefix-cache-scorer. No
 *   token-producer is configured: the default one is created with the `estimate` backend, which passes
 *   token-ID prompts through (tokenizer/estimate.go:109-123), so no tokenizer is needed.
 */
import { stringify } from 'yaml';

export const LLMD_PLUGIN_CONFIGS = ['pd', 'kv-events'] as const;
export type LlmdPluginConfig = (typeof LLMD_PLUGIN_CONFIGS)[number];

/** The pod label the llm-d role filters read, and the roles of the local P/D pods. */
export const PD_ROLE_LABEL = 'llm-d.ai/role';

const HEADER = { apiVersion: 'llm-d.ai/v1alpha1', kind: 'EndpointPickerConfig' };

export function renderPdConfig(): string {
  const profile = (filter: string) => ({
    plugins: [
      { pluginRef: filter },
      { pluginRef: 'max-score-picker' },
      { pluginRef: 'prefix-cache-scorer', weight: 2 },
      { pluginRef: 'queue-scorer', weight: 1 },
    ],
  });
  return stringify({
    ...HEADER,
    plugins: [
      { type: 'prefix-cache-scorer' },
      { type: 'queue-scorer' },
      { type: 'prefill-filter' },
      { type: 'decode-filter' },
      { type: 'max-score-picker' },
      { type: 'always-disagg-pd-decider' },
      { type: 'disagg-profile-handler', parameters: { deciders: { prefill: 'always-disagg-pd-decider' } } },
    ],
    schedulingProfiles: [
      { name: 'prefill', ...profile('prefill-filter') },
      { name: 'decode', ...profile('decode-filter') },
    ],
  });
}

/** `zmqEndpoint`: where the EPP's SUB socket binds; `blockSize`: tokens per KV block, as the publisher uses. */
export function renderKvEventsConfig(zmqEndpoint: string, blockSize: number): string {
  return stringify({
    ...HEADER,
    plugins: [
      {
        type: 'precise-prefix-cache-producer',
        parameters: {
          tokenProcessorConfig: { blockSize },
          kvEventsConfig: { zmqEndpoint },
          indexerConfig: { kvBlockIndexConfig: { enableMetrics: true } },
        },
      },
      { type: 'prefix-cache-scorer', parameters: { prefixMatchInfoProducerName: 'precise-prefix-cache-producer' } },
      { type: 'decode-filter' },
      { type: 'max-score-picker' },
      { type: 'single-profile-handler' },
    ],
    schedulingProfiles: [
      {
        name: 'default',
        plugins: [
          { pluginRef: 'decode-filter' },
          { pluginRef: 'max-score-picker' },
          { pluginRef: 'prefix-cache-scorer', weight: 10 },
        ],
      },
    ],
  });
}
