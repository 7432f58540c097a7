/**
 * The flush horizon's sentinels (flush-horizon.ts), as every component that takes part names them: the path the
 * gateway and the mock vLLM answer on, and the span the mock ends there. Harness names, so no real system's
 * traffic is mistaken for one.
 */
export const SENTINEL_PATH = '/epp-e2e/sentinel';
export const SENTINEL_SPAN = 'epp-e2e.sentinel';
