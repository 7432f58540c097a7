/**
 * What a running e2e test hands to its failure report: the topology it runs on (set by useTopology) and the
 * evidence it gathers (traces, trees, notes). The e2e jest environment (e2e-environment.ts) reads both from the
 * test's global when a test fails, so every test, negative controls included, gets the report without a wrapper.
 */
import type { Topology } from '../topology/types';
import { Evidence } from './failure-report';

/** The name of the slot on the test file's global object; the environment and the test realm share only that. */
export const REPORT_SLOT = '__eppE2eReport';

export interface ReportSlot {
  topology?: Topology;
  evidence?: Evidence;
}

export function reportSlot(g: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): ReportSlot {
  return ((g[REPORT_SLOT] as ReportSlot | undefined) ??= {});
}

/** The current test's evidence; the environment starts a new one for each test. */
export function testEvidence(): Evidence {
  return (reportSlot().evidence ??= new Evidence());
}

/** The topology whose logs and run folder a failure of this file's tests reports. */
export function reportTopology(topology: Topology | undefined): void {
  reportSlot().topology = topology;
}
