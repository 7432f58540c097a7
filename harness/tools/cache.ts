import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built tools live: outside the checkout, so a fresh clone on the same machine reuses them, and keyed
 * by name+version, so two pinned versions (e.g. two EPPs) sit side by side.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EPP_E2E_CACHE) return env.EPP_E2E_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'epp-otel-e2e');
}

export function toolDir(name: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[\w.@+-]+$/.test(name) || !/^[\w.@+-]+$/.test(version)) {
    throw new Error(`tool name/version must be plain words, got ${name}@${version}`);
  }
  return join(cacheRoot(env), 'tools', name, version);
}
