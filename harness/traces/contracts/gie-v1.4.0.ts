import { GIE_GATEWAY } from './gie-gateway';
import { agentV023Hybrid } from './gie-hybrid';
import type { EppContract } from './types';

/** Recorded from the real GIE v1.4.0 EPP in the local topology (fixtures/traces/recorded-epp-trace-gie-v1.4.0.json). */
export const gieV140: EppContract = {
  eppVersion: 'gie-v1.4.0',
  basis: 'recorded',
  joinsIncomingTrace: false,
  joinsGatewayTrace: GIE_GATEWAY,
  hybrid: agentV023Hybrid('v1.79.1'),
  spans: [
    {
      name: 'gateway.request',
      kind: 'server',
      role: 'epp',
      parent: 'root',
      requiredAttributes: [],
      scope: 'gateway-api-inference-extension',
    },
  ],
  notes:
    'The first GIE release with the gateway.request entry span (#2057). No orchestration span yet (added in ' +
    'v1.5.0, #2239), and gateway.request is emitted under the scope later renamed to .../epp/extproc.',
};
