import type { EppContract, Role } from './contracts/types';
import { expectTrace, TraceAssertionError } from './expect-trace';
import type { Trace } from './model';
import { describeSelector, type SelectorLike } from './selector';
import { select } from './selector';

/* The DSL as jest matchers: `expect(trace).toBeOneConnectedTrace()`. Messages are the DSL's own. */

function run(pass: () => void, negated: string): jest.CustomMatcherResult {
  try {
    pass();
    return { pass: true, message: () => negated };
  } catch (err) {
    if (!(err instanceof TraceAssertionError)) throw err;
    return { pass: false, message: () => err.message };
  }
}

export const traceMatchers = {
  toBeOneConnectedTrace(trace: Trace, opts: { externalParent?: string } = {}) {
    return run(
      () => expectTrace(trace).toBeOneConnectedTrace(opts),
      `expected trace ${trace.traceId} not to be one connected trace`,
    );
  },
  toCrossServices(trace: Trace, services: string[]) {
    return run(
      () => expectTrace(trace).toCrossServices(services),
      `expected trace not to cross [${services.join(', ')}]`,
    );
  },
  toHaveSpan(trace: Trace, sel: SelectorLike) {
    return run(
      () => expectTrace(trace).span(sel).exists(),
      `expected no ${describeSelector(sel)}, found ${select(trace, sel).length}`,
    );
  },
  toSatisfyContract(trace: Trace, contract: EppContract, services: Partial<Record<Role, string>>) {
    return run(
      () => expectTrace(trace).toSatisfyContract(contract, services),
      `expected trace not to satisfy ${contract.eppVersion}`,
    );
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeOneConnectedTrace(opts?: { externalParent?: string }): R;
      toCrossServices(services: string[]): R;
      toHaveSpan(sel: SelectorLike): R;
      toSatisfyContract(contract: EppContract, services: Partial<Record<Role, string>>): R;
    }
  }
}

export function installTraceMatchers(): void {
  expect.extend(traceMatchers);
}
