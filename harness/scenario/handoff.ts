import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../runtime/poll';

/**
 * What the global setup hands the scenario files (jest workers, other processes) while it is still starting: a
 * file named in the environment before the thing exists, written once it is up (its value) or failed (why).
 */
export type Handoff<T> = T | { error: string };

/** A file name for a handoff, unique to this process and moment. */
export function handoffFile(runsRoot: string, what: string): string {
  return join(runsRoot, `${what}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.json`);
}

export function writeHandoff<T>(file: string, value: Handoff<T>): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/** The handed value once it is written; throws "<what> did not start: <why>" when its start failed. */
export async function awaitHandoff<T extends object>(
  file: string,
  what: string,
  progress: (m: string) => void,
): Promise<T> {
  let told = false;
  const value = await poll(
    async () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Handoff<T>;
      } catch {
        if (!told) progress(`waiting for ${what} to come up (${file})`);
        told = true;
        return undefined;
      }
    },
    (v) => v !== undefined || 'not up yet',
    { timeoutMs: 30 * 60000, intervalMs: 100, maxIntervalMs: 100 },
  );
  if (!value || 'error' in value) throw new Error(`${what} did not start: ${(value as { error?: string })?.error}`);
  return value;
}
