import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { alternateLongAndShort } = require('./test-sequencer') as { alternateLongAndShort: <T>(xs: T[]) => T[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const recorded = require('./file-times.json') as Record<string, number | string>;

describe('the order of the scenario files', () => {
  it('alternates long and short files, longest first', () => {
    expect(alternateLongAndShort([9, 8, 7, 3, 2, 1])).toEqual([9, 1, 8, 2, 7, 3]);
    expect(alternateLongAndShort([9, 8, 1])).toEqual([9, 1, 8]);
    expect(alternateLongAndShort([5])).toEqual([5]);
    expect(alternateLongAndShort([])).toEqual([]);
  });

  it('has a recorded time for every scenario file, for runs where jest has none', () => {
    const scenarios = readdirSync(join(__dirname, '..', '..', 'scenarios')).filter((f) => f.endsWith('.e2e.ts'));
    expect(scenarios.filter((f) => typeof recorded[f] !== 'number')).toEqual([]);
  });
});
