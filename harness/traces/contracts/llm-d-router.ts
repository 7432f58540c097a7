import type { EppContract, GatewayTraceContract, SpanContract } from './types';

/*
 * llm-d-router contracts, read from the tags and checked against recordings of binaries built from them
 * (fixtures/traces/README.md: llm-d-router v0.10.0 = 71f4f0999f95b96c49a9d0c4afbd18dfdb943c26, v0.9.0 =
 * 5f4e762f341a5196393ce79f8a57c3e1900c4a6b). Citations are `path:line` in github.com/llm-d/llm-d-router at the
 * tag named by the entry (R10: v0.10.0, R9: v0.9.0).
 */

const HANDLERS = 'llm-d-router/pkg/epp/handlers';
const REQUESTCONTROL = 'llm-d-router/pkg/epp/requestcontrol';
const SCHEDULING = 'llm-d-router/pkg/epp/scheduling';
const PLUGINS_SCHEDULING = 'llm-d-router/pkg/epp/framework/plugins/scheduling';
const PLUGINS_REQUESTCONTROL = 'llm-d-router/pkg/epp/framework/plugins/requestcontrol';

/** Both versions read the client's traceparent from the HTTP headers only (the ext_proc RequestHeaders message). */
const GATEWAY: GatewayTraceContract = {
  // R10 pkg/epp/handlers/server.go:235-243 (R9 :214-222): extractTraceContext reads the RequestHeaders' HTTP
  // headers; the ext_proc server has no gRPC-metadata extraction (R10 pkg/epp/server/runserver.go:210-227).
  withoutClientContext: 'split',
  // The client's traceparent reaches the EPP among the forwarded HTTP headers, so gateway.request is the child of
  // the client's span, a sibling of Envoy's ingress (observed; README "What the real components do").
  withClientTraceparent: 'child-of-client',
  knownDefect: {
    summary:
      'the EPP reads trace context only from the HTTP headers, not from the ext_proc gRPC metadata where Envoy ' +
      'hands on the trace it started (fixed by llm-d-router PR #2830, after v0.10.0)',
    link: 'https://github.com/llm-d/llm-d-router/issues/2828',
  },
};

const v090Spans: SpanContract[] = [
  {
    // R9 pkg/epp/handlers/server.go:240 (tracer), :404 (start, in the RequestHeaders case, from the extracted ctx).
    name: 'gateway.request',
    kind: 'server',
    role: 'epp',
    parent: 'incoming-or-root',
    requiredAttributes: [],
    scope: HANDLERS,
  },
  {
    // R9 pkg/epp/requestcontrol/director.go:235-243 (start), :257-260 (target_model, request_prio).
    name: 'gateway.request_orchestration',
    kind: 'server',
    role: 'epp',
    parent: 'gateway.request',
    requiredAttributes: ['target_model', 'request_prio'],
    scope: REQUESTCONTROL,
  },
];

/**
 * R9 P/D (disagg-profile-handler): pick_disagg_profile once per Pick call and prepare_disaggregation in PreRequest
 * (R9 pkg/epp/framework/plugins/scheduling/profilehandler/disagg/disagg_profile_handler.go:265-336, :378-461).
 */
const pdSpans = (parentOfProfiles: string): SpanContract[] => [
  {
    name: 'pick_disagg_profile',
    kind: 'internal',
    role: 'epp',
    parent: parentOfProfiles,
    requiredAttributes: ['gen_ai.request.id', 'llm_d.epp.profile_handler.decision'],
    scope: PLUGINS_SCHEDULING,
  },
  {
    // The seed's "pd_prerequest": no span of that name exists at these tags (grep count 0).
    name: 'prepare_disaggregation',
    kind: 'internal',
    role: 'epp',
    parent: 'gateway.request_orchestration',
    requiredAttributes: [
      'gen_ai.request.id',
      'llm_d.epp.pd.disaggregation_used',
      'llm_d.epp.pd.prefill_pod_address',
      'llm_d.epp.pd.prefill_pod_port',
    ],
    scope: PLUGINS_SCHEDULING,
  },
];

/** Precise prefix cache fed by KV events: the producer and its index lookup (R9 kv-cache v0.9.0 scope). */
const kvSpans = (indexScope: string): SpanContract[] => [
  {
    // R10 .../dataproducer/preciseprefixcache/producer.go:312-335 (R9 :227-250); DataProducer runs before
    // Schedule (R10 pkg/epp/requestcontrol/director.go:322).
    name: 'produce_precise_prefix_cache',
    kind: 'internal',
    role: 'epp',
    parent: 'gateway.request_orchestration',
    requiredAttributes: [
      'llm_d.epp.producer.candidate_endpoints',
      'llm_d.epp.producer.total_blocks',
      'llm_d.epp.producer.max_match_blocks',
      'gen_ai.request.id',
    ],
    scope: PLUGINS_REQUESTCONTROL,
  },
  {
    // R10 pkg/kvcache/kvblock/traced_index.go:88-117 (R9: github.com/llm-d/llm-d-kv-cache v0.9.0, same lines).
    name: 'llm_d.kv_cache.index',
    kind: 'internal',
    role: 'epp',
    parent: 'produce_precise_prefix_cache',
    requiredAttributes: [
      'llm_d.kv_cache.index.lookup.block_count',
      'llm_d.kv_cache.lookup.cache_hit',
      'llm_d.kv_cache.lookup.blocks_found',
    ],
    scope: indexScope,
  },
];

/**
 * The span one KV event makes when the index takes it: a root span of its own trace (the KV-event pool runs with
 * the plugin's context, no request's), R10 pkg/kvcache/kvblock/traced_index.go:38-59 (R9: llm-d-kv-cache v0.9.0,
 * same lines, whose scope version is that module's own, `(devel)` in a source build).
 */
export function kvIndexAddSpan(eppVersion: 'llm-d-router-v0.9.0' | 'llm-d-router-v0.10.0'): SpanContract {
  return {
    name: 'llm_d.kv_cache.index.add',
    kind: 'internal',
    role: 'epp',
    parent: 'root',
    requiredAttributes: [
      'llm_d.kv_cache.index.add.engine_key_count',
      'llm_d.kv_cache.index.add.request_key_count',
      'llm_d.kv_cache.index.add.pod_entry_count',
      'llm_d.kv_cache.index.add.device_tier_count',
    ],
    scope:
      eppVersion === 'llm-d-router-v0.9.0' ? 'llm-d-kv-cache/pkg/kvcache/kvblock' : 'llm-d-router/pkg/kvcache/kvblock',
  };
}

export const llmDRouterV090: EppContract = {
  eppVersion: 'llm-d-router-v0.9.0',
  basis: 'recorded',
  joinsIncomingTrace: true,
  joinsGatewayTrace: GATEWAY,
  spans: v090Spans,
  configs: {
    // R9 has no scheduler spans (pkg/epp/scheduling imports no tracer), so the P/D spans hang off the orchestration.
    pd: { add: pdSpans('gateway.request_orchestration'), remove: [] },
    'kv-events': { add: kvSpans('llm-d-kv-cache/pkg/kvcache/kvblock'), remove: [] },
  },
  notes:
    'v0.9.0 extracts traceparent from the HTTP headers carried in ext_proc RequestHeaders (#1514), not from gRPC ' +
    'metadata (#2828). Only the two gateway spans with the default configuration: the scheduler spans came in v0.10.0.',
};

/** A scorer span of the default configuration (R10 pkg/epp/config/loader/defaults.go:46-100). */
function scorer(type: string): SpanContract {
  return {
    // R10 pkg/epp/scheduling/scheduler_profile.go:227-268 (runScorer): named by plugin type; the score keys are
    // set when the scorer returned scores, which every default scorer does for a live endpoint.
    name: `llm_d.epp.scorer.${type}`,
    kind: 'internal',
    role: 'epp',
    parent: 'llm_d.epp.scoring',
    requiredAttributes: [
      'llm_d.epp.scorer.type',
      'llm_d.epp.scorer.name',
      'llm_d.epp.scorer.weight',
      'llm_d.epp.scorer.candidate_endpoints',
      'llm_d.epp.scorer.score.max',
      'llm_d.epp.scorer.score.avg',
      'llm_d.epp.scorer.endpoints_scored',
    ],
    scope: SCHEDULING,
  };
}

export const llmDRouterV0100: EppContract = {
  eppVersion: 'llm-d-router-v0.10.0',
  basis: 'recorded',
  joinsIncomingTrace: true,
  joinsGatewayTrace: GATEWAY,
  spans: [
    // R10 pkg/epp/handlers/server.go:261 (tracer), :442 (start).
    { ...v090Spans[0] },
    // R10 pkg/epp/requestcontrol/director.go:241-249 (start), :266-269 (target_model, request_prio).
    { ...v090Spans[1] },
    {
      // R10 pkg/epp/scheduling/scheduler.go:109-115, with the Schedule ctx from director.go:333.
      name: 'run_scheduler_profile',
      kind: 'internal',
      role: 'epp',
      parent: 'gateway.request_orchestration',
      requiredAttributes: ['llm_d.epp.scheduling.profile.name'],
      scope: SCHEDULING,
    },
    {
      // R10 pkg/epp/scheduling/scheduler_profile.go:126 (always, first step of Run), :143-161 (attributes);
      // gen_ai.request.* from requestSpanAttributes, :270-282 (the request id is always set, server.go:424-431).
      name: 'filter_endpoints',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: [
        'llm_d.epp.filter.candidate_endpoints',
        'llm_d.epp.filter.filtered_endpoints',
        'gen_ai.request.model',
        'gen_ai.request.id',
      ],
      scope: SCHEDULING,
    },
    {
      // R10 pkg/epp/scheduling/scheduler_profile.go:176-189 (when ≥1 endpoint survived the filters).
      name: 'llm_d.epp.scoring',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: [
        'llm_d.epp.scorer.count',
        'llm_d.epp.scoring.candidate_endpoints',
        'gen_ai.request.model',
        'gen_ai.request.id',
      ],
      scope: SCHEDULING,
    },
    scorer('queue-scorer'),
    scorer('kv-cache-utilization-scorer'),
    scorer('prefix-cache-scorer'),
    {
      // R10 pkg/epp/scheduling/scheduler_profile.go:305-322.
      name: 'pick_endpoints',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: [
        'llm_d.epp.picker.candidate_endpoints',
        'llm_d.epp.picker.top_endpoints',
        'llm_d.epp.picker.top_scores',
        'gen_ai.request.model',
        'gen_ai.request.id',
      ],
      scope: SCHEDULING,
    },
  ],
  configs: {
    // R10 disagg_profile_handler.go:340-486 (pick_disagg_profile), :526-612 (prepare_disaggregation). The P/D
    // profiles configure prefix-cache-scorer and queue-scorer only (components/llmd-plugins.ts).
    pd: {
      add: pdSpans('gateway.request_orchestration'),
      remove: ['llm_d.epp.scorer.kv-cache-utilization-scorer'],
    },
    // One scorer, prefix-cache-scorer, reading the precise producer's match info.
    'kv-events': {
      add: kvSpans('llm-d-router/pkg/kvcache/kvblock'),
      remove: ['llm_d.epp.scorer.queue-scorer', 'llm_d.epp.scorer.kv-cache-utilization-scorer'],
    },
  },
  notes:
    'v0.10.0 adds the scheduler spans: run_scheduler_profile under gateway.request_orchestration, filter_endpoints ' +
    'on every profile run, one llm_d.epp.scorer.<type> span per scorer. No span named llm_d.epp.pd_prerequest exists ' +
    'in any version: P/D is prepare_disaggregation with llm_d.epp.pd.* attributes.',
};
