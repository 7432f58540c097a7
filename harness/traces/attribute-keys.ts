/**
 * Every attribute key a scenario checks, in one place: OpenTelemetry's own from @opentelemetry/semantic-conventions
 * (the incubating entry for the ones not yet stable), the EPP's and Envoy's from their sources. Scenarios import
 * these and never spell a key by hand, so a renamed key is one edit and a typo is a compile error.
 */
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_RPC_SYSTEM,
  ATTR_SERVICE_INSTANCE_ID,
  // Node resolves this through the package's `exports`; TypeScript's `node` resolution cannot, so tsconfig `paths`
  // names the file for the type check.
} from '@opentelemetry/semantic-conventions/incubating';
import { GenAi } from '../mock-vllm/span-attributes';

export const Resource = {
  SERVICE_NAME: ATTR_SERVICE_NAME,
  SERVICE_VERSION: ATTR_SERVICE_VERSION,
  SERVICE_INSTANCE_ID: ATTR_SERVICE_INSTANCE_ID,
  K8S_POD_NAME: ATTR_K8S_POD_NAME,
  K8S_NAMESPACE_NAME: ATTR_K8S_NAMESPACE_NAME,
  /** Ours: the EPP's OTEL_RESOURCE_ATTRIBUTES default (run options eppResourceAttributes). */
  COMPONENT: 'component',
} as const;

export const Rpc = { SYSTEM: ATTR_RPC_SYSTEM } as const;

/** vLLM's llm_request span (the mock speaks vLLM's keys). */
export { GenAi };

/** The EPP's own span attributes (GIE / llm-d-router pkg/epp). */
export const Epp = {
  /** The endpoints the picker chose, on the scheduler's pick span. */
  PICKER_TOP_ENDPOINTS: 'llm_d.epp.picker.top_endpoints',
} as const;

/** The dynamic metadata the EPP hands Envoy: namespace and key of the destination endpoint. */
export const EnvoyLb = { NAMESPACE: 'envoy.lb', DESTINATION_ENDPOINT: 'x-gateway-destination-endpoint' } as const;
