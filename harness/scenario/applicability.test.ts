import { applicability } from './use-topology';

describe('scenario applicability', () => {
  const withTopology = (t: string, fn: () => void): void => {
    const before = process.env.EPP_E2E_TOPOLOGY;
    process.env.EPP_E2E_TOPOLOGY = t;
    try {
      fn();
    } finally {
      if (before === undefined) delete process.env.EPP_E2E_TOPOLOGY;
      else process.env.EPP_E2E_TOPOLOGY = before;
    }
  };

  it('names what is missing and which topology has it', () => {
    withTopology('local', () => {
      // The local topology runs the operator as a process (operator mode) since #12.
      expect(applicability(['operator-injection']).applies).toBe(true);
      expect(applicability(['local-processes']).applies).toBe(true);
    });
    withTopology('kind', () => {
      expect(applicability(['local-processes']).reason).toBe(
        'not applicable on the kind topology: needs local-processes, which only local has',
      );
      expect(applicability(['operator-injection']).applies).toBe(true);
    });
  });

  it('names the capability a kind run lacks for the kv-events scenario', () => {
    withTopology('kind', () => {
      expect(applicability(['kv-events', 'operator-injection']).reason).toBe(
        'not applicable on the kind topology: needs kv-events, which only local has',
      );
    });
  });
});
