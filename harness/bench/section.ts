import { loadavg } from 'node:os';
import type { RunOptions } from '../config/run-options';
import type { Endpoints } from '../topology/types';
import type { BenchRow } from './stats';

/** What a measure on the running topology gets. */
export interface BenchContext {
  opts: RunOptions;
  endpoints: Endpoints;
  progress: (message: string) => void;
}

/** One measured part of `make bench`: its lines in the printed table and its entry (`key`) in bench.json. */
export interface BenchSection {
  key: string;
  rows: BenchRow[];
  json: unknown;
}

/** A measure is one function; main.ts lists them, so adding a section is adding a function to that list. */
export type Measure = (ctx: BenchContext) => Promise<BenchSection>;

/** The 1, 5 and 15 minute load averages, rounded: the machine is shared, so every number comes with its load. */
export function loadAverage(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}
