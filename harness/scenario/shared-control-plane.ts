import type { ControlPlaneHolds, ControlPlaneOffer, SharedControlPlane } from '../topology/local/control-plane';
import { awaitHandoff } from './handoff';

/** Set by the global setup: where the suite's control plane will be described once it is up. */
export const CONTROL_PLANE_FILE = 'EPP_E2E_CONTROL_PLANE_FILE';
/** Set with it: what it holds (ControlPlaneHolds, as JSON), known before it is up. */
export const CONTROL_PLANE_HOLDS = 'EPP_E2E_CONTROL_PLANE_HOLDS';

/**
 * The control plane the global setup starts for the suite's local topologies, as a scenario file is offered it:
 * undefined when the run has none (jest started without `epp-e2e run`, or kind). Whether a topology uses it is
 * the topology's call (controlPlaneMismatch); one that does waits for it to be up.
 */
export function suiteControlPlane(
  progress: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): ControlPlaneOffer | undefined {
  const file = env[CONTROL_PLANE_FILE];
  const holds = env[CONTROL_PLANE_HOLDS];
  if (!file || !holds) return undefined;
  return {
    holds: JSON.parse(holds) as ControlPlaneHolds,
    ready: () => awaitHandoff<SharedControlPlane>(file, "the suite's control plane", progress),
  };
}
