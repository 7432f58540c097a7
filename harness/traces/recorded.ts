import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromOtlpJson, parseJsonChunks, type Trace } from './model';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures', 'traces');

/** Traces from a recorded Jaeger answer in fixtures/traces (for unit tests). */
export function loadRecorded(file: string): Trace[] {
  return fromOtlpJson(parseJsonChunks(readFileSync(join(FIXTURES_DIR, file), 'utf8')));
}

export function loadOne(file: string): Trace {
  const [t, ...rest] = loadRecorded(file);
  if (!t || rest.length) throw new Error(`${file}: expected one trace, found ${rest.length + (t ? 1 : 0)}`);
  return t;
}
