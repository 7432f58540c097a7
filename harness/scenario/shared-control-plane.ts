import type { ControlPlaneOffer, SharedControlPlane } from '../topology/local/control-plane';
import { awaitHandoff } from './handoff';

/** Set by the global setup: where the suite's control plane will be described once it is up. */
export const CONTROL_PLANE_FILE = 'EPP_E2E_CONTROL_PLANE_FILE';
/** Set with it: the EPP CRDs it holds (module@version), known before it is up. */
export const CONTROL_PLANE_CRDS = 'EPP_E2E_CONTROL_PLANE_CRDS';

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
  const crds = env[CONTROL_PLANE_CRDS];
  if (!file || !crds) return undefined;
  return { crds, ready: () => awaitHandoff<SharedControlPlane>(file, "the suite's control plane", progress) };
}
