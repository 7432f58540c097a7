/** The components that have fault switches: the harness's own mock, and the real ones through their config. */
export const FAULT_COMPONENTS = ['mock-vllm', 'envoy', 'epp'] as const;
export type FaultComponent = (typeof FAULT_COMPONENTS)[number];

/**
 * A scenario that claims a fault: with the fault on, that scenario must fail, and one of its failure messages
 * must say `says`. A failure for any other reason (a start-up error, a timeout that names nothing) is not a
 * catch: the point is that the harness names what broke.
 */
export interface FaultOwner {
  scenario: string;
  says: RegExp;
}

/** One switch as it is declared beside its implementation: what it breaks and who must notice. */
export interface FaultDefinition {
  description: string;
  owners: FaultOwner[];
}

export interface FaultSwitch extends FaultDefinition {
  component: FaultComponent;
  name: string;
}

/** `component:name`, the form `--fault` takes. */
export function faultId(f: { component: string; name?: string; fault?: string }): string {
  return `${f.component}:${f.name ?? f.fault}`;
}

/** The faults of one component, out of a run's `component:fault` list. */
export function faultsOf(faults: readonly { component: string; fault: string }[], component: FaultComponent): string[] {
  return faults.filter((f) => f.component === component).map((f) => f.fault);
}
