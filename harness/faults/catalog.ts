import { ENVOY_FAULTS } from '../components/envoy-faults';
import { EPP_FAULTS } from '../components/epp-faults';
import { FAULTS as MOCK_VLLM_FAULTS } from '../mock-vllm/faults';
import { FAULT_COMPONENTS, type FaultComponent, type FaultDefinition, type FaultSwitch } from './types';

/** Every fault switch the harness offers, by component; each is declared beside its implementation. */
const DEFINITIONS: Record<FaultComponent, Record<string, FaultDefinition>> = {
  'mock-vllm': MOCK_VLLM_FAULTS,
  envoy: ENVOY_FAULTS,
  epp: EPP_FAULTS,
};

export function faultCatalog(): FaultSwitch[] {
  return FAULT_COMPONENTS.flatMap((component) =>
    Object.entries(DEFINITIONS[component]).map(([name, d]) => ({ component, name, ...d })),
  );
}

/** `component:fault` checked against the catalog; the error lists what is valid. */
export function parseFaultSpec(spec: string): { component: FaultComponent; fault: string } {
  const [component, fault, ...rest] = spec.trim().split(':');
  if (!(FAULT_COMPONENTS as readonly string[]).includes(component) || !fault || rest.length) {
    throw new Error(
      `--fault takes COMPONENT:FAULT with COMPONENT one of ${FAULT_COMPONENTS.join(', ')}, got "${spec}"`,
    );
  }
  const known = Object.keys(DEFINITIONS[component as FaultComponent]);
  if (!known.includes(fault)) throw new Error(`unknown ${component} fault "${fault}"; valid: ${known.join(', ')}`);
  return { component: component as FaultComponent, fault };
}

// In types.ts, which imports no component: the declarations read it.
export { faultsOf } from './types';
