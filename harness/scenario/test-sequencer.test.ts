import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { scenarioOrder } = require('./test-sequencer') as {
  scenarioOrder: (files: { name: string; seconds: number }[]) => { name: string; seconds: number }[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const recorded = require('./file-times.json') as Record<string, number | string>;

const names = (files: { name: string }[]): string[] => files.map((f) => f.name);

describe('the order of the scenario files', () => {
  it('starts the heaviest start-up, the shortest files beside it up to its time, then long and short alternate', () => {
    const files = [
      { name: 'long.e2e.ts', seconds: 20 },
      { name: 'injection.e2e.ts', seconds: 17 },
      { name: 'mid.e2e.ts', seconds: 12 },
      { name: 'a.e2e.ts', seconds: 2 },
      { name: 'b.e2e.ts', seconds: 4 },
      { name: 'c.e2e.ts', seconds: 9 },
      { name: 'd.e2e.ts', seconds: 10 },
    ];
    // beside injection: 2 + 4 + 9 = 15 < 17; adding d (10) would pass it
    expect(names(scenarioOrder(files))).toEqual([
      'injection.e2e.ts',
      'a.e2e.ts',
      'b.e2e.ts',
      'c.e2e.ts',
      'long.e2e.ts',
      'd.e2e.ts',
      'mid.e2e.ts',
    ]);
  });

  it('starts with the longest file when the heaviest start-up is not among them (one file, a subset)', () => {
    expect(
      names(
        scenarioOrder([
          { name: 'x', seconds: 1 },
          { name: 'y', seconds: 5 },
        ]),
      ),
    ).toEqual(['y', 'x']);
    expect(scenarioOrder([])).toEqual([]);
  });

  it('has a recorded time for every scenario file, for runs where jest has none', () => {
    const scenarios = readdirSync(join(__dirname, '..', '..', 'scenarios')).filter((f) => f.endsWith('.e2e.ts'));
    expect(scenarios.filter((f) => typeof recorded[f] !== 'number')).toEqual([]);
  });
});
