import { GIE_GATEWAY } from './gie-gateway';
import { agentV023Hybrid } from './gie-hybrid';
import type { EppContract } from './types';

/** Recorded from the real GIE v1.5.0 EPP in the local topology (fixtures/traces/recorded-epp-trace.json). */
export const gieV150: EppContract = {
  eppVersion: 'gie-v1.5.0',
  basis: 'recorded',
  joinsIncomingTrace: false,
  joinsGatewayTrace: GIE_GATEWAY,
  hybrid: agentV023Hybrid('v1.80.0'),
  spans: [
    {
      name: 'gateway.request',
      kind: 'server',
      role: 'epp',
      parent: 'root',
      requiredAttributes: [],
      scope: 'gateway-api-inference-extension/epp/extproc',
    },
    {
      name: 'gateway.request_orchestration',
      kind: 'server',
      role: 'epp',
      parent: 'gateway.request',
      requiredAttributes: ['target_model', 'request_prio'],
      scope: 'gateway-api-inference-extension',
    },
  ],
  notes:
    'gateway.request is started from the stream context, so it is always the root of a new trace: the incoming ' +
    'traceparent is not extracted (that came in llm-d-router v0.9.0, #1514). The EPP injects its context into the ' +
    'forwarded request headers, but the client traceparent it copies through overrides it when the client sent one.',
};
