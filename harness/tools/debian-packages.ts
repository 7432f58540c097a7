/**
 * The native Debian packages of versions.yaml `debianPackages`: which are missing, and installing them. `make test`,
 * `make e2e` and `make tools` run this first (`epp-e2e packages`), so a fresh machine needs nothing but the README.
 */
import type { CommandRunner } from './native-prereqs';

export interface PackagePlan {
  /** Every package versions.yaml asks for, each once, in file order. */
  wanted: string[];
  missing: string[];
  /** What needs each missing package (the versions.yaml keys), for the message. */
  neededBy: Record<string, string[]>;
}

/** Every package once, with the versions.yaml keys that ask for it. */
function wantedPackages(groups: Record<string, string[]>): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const [key, list] of Object.entries(groups)) {
    for (const p of list) wanted.set(p, [...(wanted.get(p) ?? []), key]);
  }
  return wanted;
}

/**
 * Which packages are not installed, by dpkg's own status. dpkg-query exits non-zero when any named package is
 * unknown, but still prints the status of the known ones, so the output is read either way.
 */
export async function planPackages(groups: Record<string, string[]>, run: CommandRunner): Promise<PackagePlan> {
  const wanted = wantedPackages(groups);
  const names = [...wanted.keys()];
  let out: string;
  try {
    out = await run('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...names]);
  } catch (err) {
    out = (err as { output?: string }).output ?? '';
  }
  const installed = new Set(
    out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4 && f.slice(1).join(' ') === 'install ok installed')
      .map((f) => f[0].replace(/:.*$/, '')),
  );
  const missing = names.filter((n) => !installed.has(n));
  return { wanted: names, missing, neededBy: Object.fromEntries(missing.map((m) => [m, wanted.get(m) ?? []])) };
}

export function installCommand(packages: string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

export interface InstallDeps {
  run: CommandRunner;
  isRoot: boolean;
  hasDpkg: boolean;
  progress: (message: string) => void;
}

/**
 * Installs the missing packages as root (a fresh machine may have no package lists yet: one `apt-get update`, then
 * once more); otherwise throws with the exact command to run. Returns what it installed.
 */
export async function ensureDebianPackages(groups: Record<string, string[]>, deps: InstallDeps): Promise<string[]> {
  const all = [...wantedPackages(groups).keys()];
  if (!deps.hasDpkg) {
    throw new Error(
      `this machine has no dpkg (not Debian or Ubuntu); install the equivalents of these Debian packages ` +
        `(versions.yaml debianPackages): ${all.join(' ')}`,
    );
  }
  const plan = await planPackages(groups, deps.run);
  if (plan.missing.length === 0) return [];
  const why = plan.missing.map((m) => `${m} (${plan.neededBy[m].join(', ')})`).join(', ');
  if (!deps.isRoot) {
    throw new Error(
      `missing Debian packages: ${why}.\nInstall them as root, then run this again:\n  sudo ${installCommand(plan.missing)}`,
    );
  }
  deps.progress(`installing missing Debian packages: ${why}`);
  const install = ['install', '-y', '--no-install-recommends', ...plan.missing];
  const env = ['DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  try {
    await deps.run('env', [...env, ...install]);
  } catch {
    deps.progress('apt-get install failed; updating the package lists once and trying again');
    await deps.run('env', [...env, 'update']);
    await deps.run('env', [...env, ...install]);
  }
  const after = await planPackages(groups, deps.run);
  if (after.missing.length) {
    throw new Error(`apt-get finished, but these are still not installed: ${after.missing.join(' ')}`);
  }
  return plan.missing;
}
