import type { EppContract } from './types';

/*
 * llm-d-router contracts from reading its source (see ../shared/upstream/epp.md, sections 1.2 and 1.3). They
 * cannot be run here: the Go module proxy this project builds from does not serve llm-d-router. Kept as data so
 * the day a build is possible the same checks run against them.
 */

export const llmDRouterV090: EppContract = {
  eppVersion: 'llm-d-router-v0.9.0',
  basis: 'source-reading',
  joinsIncomingTrace: true,
  spans: [
    { name: 'gateway.request', kind: 'server', role: 'epp', parent: 'incoming', requiredAttributes: [] },
    {
      name: 'gateway.request_orchestration',
      kind: 'server',
      role: 'epp',
      parent: 'gateway.request',
      requiredAttributes: ['target_model', 'request_prio'],
    },
  ],
  notes: 'v0.9.0 extracts traceparent from the HTTP headers carried in ext_proc RequestHeaders (#1514).',
};

export const llmDRouterV0100: EppContract = {
  eppVersion: 'llm-d-router-v0.10.0',
  basis: 'source-reading',
  joinsIncomingTrace: true,
  spans: [
    ...llmDRouterV090.spans,
    {
      name: 'run_scheduler_profile',
      kind: 'internal',
      role: 'epp',
      requiredAttributes: ['llm_d.epp.scheduling.profile.name'],
    },
    {
      name: 'filter_endpoints',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: [
        'llm_d.epp.filter.candidate_endpoints',
        'llm_d.epp.filter.filtered_endpoints',
        'gen_ai.request.model',
      ],
      optional: true,
    },
    {
      name: 'llm_d.epp.scoring',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: ['llm_d.epp.scorer.count', 'llm_d.epp.scoring.candidate_endpoints', 'gen_ai.request.model'],
    },
    {
      name: 'pick_endpoints',
      kind: 'internal',
      role: 'epp',
      parent: 'run_scheduler_profile',
      requiredAttributes: [
        'llm_d.epp.picker.candidate_endpoints',
        'llm_d.epp.picker.top_endpoints',
        'llm_d.epp.picker.top_scores',
      ],
    },
  ],
  notes:
    'v0.10.0 adds the scheduler spans (absent in v0.9.0). No span named llm_d.epp.pd_prerequest exists in any version.',
};
