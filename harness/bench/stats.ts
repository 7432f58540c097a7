/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface BenchRow {
  measure: string;
  value: string;
  detail: string;
}

export function formatTable(rows: BenchRow[]): string {
  const w = [Math.max(...rows.map((r) => r.measure.length), 7), Math.max(...rows.map((r) => r.value.length), 5)];
  const line = (a: string, b: string, c: string): string => `${a.padEnd(w[0])}  ${b.padStart(w[1])}  ${c}`;
  return [
    line('measure', 'value', 'detail'),
    line('-'.repeat(w[0]), '-'.repeat(w[1]), '------'),
    ...rows.map((r) => line(r.measure, r.value, r.detail)),
  ].join('\n');
}
