import { mkdirSync, rmSync, statSync } from 'node:fs';
import { poll } from '../runtime/poll';

/**
 * A directory lock so two runs on one machine do not build the same tool into the same place at once.
 * A lock older than `staleMs` is taken over: it belongs to a build that died.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, staleMs = 30 * 60 * 1000): Promise<T> {
  // Another process holds the lock; there is no event to wait on across processes, so poll (a build can take long).
  await poll(
    async () => {
      try {
        mkdirSync(path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      try {
        if (Date.now() - statSync(path).mtimeMs > staleMs) rmSync(path, { recursive: true, force: true });
      } catch {
        // the other holder released it between our two calls
      }
      return `${path} is held by another build`;
    },
    (v) => v,
    { timeoutMs: 2 * staleMs, intervalMs: 1000, stopOn: () => true },
  );
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}
