import { formatTable, percentile } from './stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([3, 1, 2], 100)).toBe(3);
    expect(() => percentile([], 50)).toThrow('percentile of no values');
  });

  it('lines up the table', () => {
    expect(formatTable([{ measure: 'cold start', value: '7.1 s', detail: 'x' }]).split('\n')).toEqual([
      'measure     value  detail',
      '----------  -----  ------',
      'cold start  7.1 s  x',
    ]);
  });
});
