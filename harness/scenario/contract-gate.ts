import { scenarioOptions } from '../config/run-options-file';
import { findContract, type EppContract } from '../traces/contracts';
import type { SpanSelector } from '../traces/selector';
import { notApplicable } from './use-topology';

/**
 * The span contract of the run's EPP, or undefined for an EPP binary that has none (--epp-binary with no
 * --epp-contract and a build that names no known version). Then the checks that need a contract are reported
 * as not made, by name and with how to make them, and the topology-level checks still run.
 */
export function runContract(): EppContract | undefined {
  return findContract(scenarioOptions().eppVersion);
}

/** Reports `scenario` as not made for lack of a contract; call where the scenario's tests would be declared. */
export function contractNotApplicable(scenario: string): void {
  const o = scenarioOptions();
  notApplicable(
    scenario,
    `not made: EPP binary ${o.eppBinary ?? '(none)'} has no span contract (${o.eppContractSource ?? 'not identified'}); ` +
      'name one with --epp-contract NAME',
  );
}

/**
 * The EPP span that enters a client's trace beside Envoy's ingress, when the contract says the EPP reads the
 * client's traceparent from the forwarded HTTP headers (child-of-client); undefined otherwise (no contract: none).
 */
export function eppClientEntry(contract: EppContract | undefined, eppService: string): SpanSelector | undefined {
  return contract?.joinsGatewayTrace?.withClientTraceparent === 'child-of-client'
    ? { service: eppService, name: 'gateway.request' }
    : undefined;
}
