/**
 * The jest environment of the e2e project: node's, plus the failure report for every test. When a test (or one of
 * its beforeEach/afterEach hooks) fails, it gathers that test's evidence and the run's component logs into
 * `<run>/failures/<test>/` and appends the Jaeger links, that folder and the log tails to the error, before jest
 * formats it. The scenario author writes none of it (the chainsaw catch/finally habit).
 */
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { attachFailureReport } from './failure-report';
import { reportSlot } from './test-evidence';

/** "describe › nested › test", as jest prints it. */
export function fullTestName(test: Circus.TestEntry): string {
  const names: string[] = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block; block = block.parent) {
    if (block.name !== 'ROOT_DESCRIBE_BLOCK') names.unshift(block.name);
  }
  return names.join(' › ');
}

export default class E2eEnvironment extends NodeEnvironment {
  async handleTestEvent(event: Circus.Event): Promise<void> {
    const slot = reportSlot(this.global as unknown as Record<string, unknown>);
    if (event.name === 'test_start') {
      slot.evidence = undefined;
      return;
    }
    const failed =
      event.name === 'test_fn_failure'
        ? { error: event.error, test: event.test }
        : event.name === 'hook_failure' && event.test
          ? { error: event.error, test: event.test }
          : undefined;
    // No topology: it never started (the beforeAll error says why, with its own log tails).
    // The error comes from the test's realm (another vm context): `instanceof Error` would be false here.
    if (!failed || !slot.topology || typeof failed.error !== 'object' || failed.error === null) return;
    await attachFailureReport(fullTestName(failed.test), slot.topology, slot.evidence, failed.error as Error);
  }
}
