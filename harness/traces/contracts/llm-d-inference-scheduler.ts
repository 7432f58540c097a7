import { gieV150 } from './gie-v1.5.0';
import type { EppContract } from './types';

/**
 * llm-d-inference-scheduler v0.8.0 (05c91f0d655fbd7ea71fc50949c899c360d06f07; the same repository as llm-d-router
 * before its rename) runs GIE v1.5.0's runner (cmd/epp/main.go:65). Its own tracing init (pkg/telemetry/tracing.go:
 * 39,111) runs first, then GIE's runner replaces the global provider when --tracing (default true;
 * GIE v1.5.0 cmd/epp/runner/runner.go:181-183), so with the default configuration its spans are GIE v1.5.0's, under
 * GIE's default service name. From source reading: no build of it runs here (the module proxy refuses it and
 * kind, where its image would run, needs a container engine).
 */
export const llmDInferenceSchedulerV080: EppContract = {
  ...gieV150,
  eppVersion: 'llm-d-inference-scheduler-v0.8.0',
  basis: 'source-reading',
  notes:
    'GIE v1.5.0 spans (its runner): gateway.request is always a new root. The llm-d plugin spans of this release ' +
    '(llm_d.epp.prerequest.disaggregation, llm_d.epp.disagg.profile_handler.pick) only appear with a P/D configuration.',
};
