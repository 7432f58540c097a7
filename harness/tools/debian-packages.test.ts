import { ensureDebianPackages, installCommand, planPackages } from './debian-packages';

const GROUPS = { kvEventsEpp: ['libzmq3-dev', 'pkg-config'], goAutoAgent: ['clang', 'pkg-config'] };

/** A fake dpkg + apt-get: `installed` grows when apt-get installs; `failFirstInstall` models stale lists. */
function fakeMachine(installed: string[], opts: { failFirstInstall?: boolean } = {}) {
  const have = new Set(installed);
  const calls: string[] = [];
  let installs = 0;
  const run = async (cmd: string, args: string[]): Promise<string> => {
    calls.push([cmd, ...args].join(' '));
    if (cmd === 'dpkg-query') {
      const names = args.slice(2);
      const out = names
        .filter((n) => have.has(n))
        .map((n) => `${n} install ok installed`)
        .join('\n');
      if (names.some((n) => !have.has(n)))
        throw Object.assign(new Error('dpkg-query: no packages found'), { output: out });
      return out;
    }
    if (args.includes('install')) {
      installs++;
      if (opts.failFirstInstall && installs === 1) throw new Error('E: Unable to locate package');
      for (const p of args.slice(args.indexOf('--no-install-recommends') + 1)) have.add(p);
    }
    return '';
  };
  return { run, calls };
}

describe('Debian packages of versions.yaml', () => {
  it('lists each missing package once, with what needs it', async () => {
    const { run } = fakeMachine(['clang']);
    const plan = await planPackages(GROUPS, run);
    expect(plan.wanted).toEqual(['libzmq3-dev', 'pkg-config', 'clang']);
    expect(plan.missing).toEqual(['libzmq3-dev', 'pkg-config']);
    expect(plan.neededBy['pkg-config']).toEqual(['kvEventsEpp', 'goAutoAgent']);
  });

  it('installs nothing when everything is there', async () => {
    const { run, calls } = fakeMachine(['libzmq3-dev', 'pkg-config', 'clang']);
    await expect(
      ensureDebianPackages(GROUPS, { run, isRoot: true, hasDpkg: true, progress: () => {} }),
    ).resolves.toEqual([]);
    expect(calls.filter((c) => c.includes('apt-get'))).toEqual([]);
  });

  it('as root installs the missing ones, updating the package lists once when the first try fails', async () => {
    const { run, calls } = fakeMachine([], { failFirstInstall: true });
    const installed = await ensureDebianPackages(GROUPS, { run, isRoot: true, hasDpkg: true, progress: () => {} });
    expect(installed).toEqual(['libzmq3-dev', 'pkg-config', 'clang']);
    expect(calls.filter((c) => c.includes('apt-get'))).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libzmq3-dev pkg-config clang',
      'env DEBIAN_FRONTEND=noninteractive apt-get update',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libzmq3-dev pkg-config clang',
    ]);
  });

  it('as another user prints the exact command and installs nothing', async () => {
    const { run, calls } = fakeMachine(['pkg-config']);
    await expect(
      ensureDebianPackages(GROUPS, { run, isRoot: false, hasDpkg: true, progress: () => {} }),
    ).rejects.toThrow(
      `missing Debian packages: libzmq3-dev (kvEventsEpp), clang (goAutoAgent).\n` +
        `Install them as root, then run this again:\n  sudo ${installCommand(['libzmq3-dev', 'clang'])}`,
    );
    expect(calls.some((c) => c.includes('apt-get'))).toBe(false);
  });

  it('says so on a machine without dpkg, naming the packages', async () => {
    const { run } = fakeMachine([]);
    await expect(
      ensureDebianPackages(GROUPS, { run, isRoot: true, hasDpkg: false, progress: () => {} }),
    ).rejects.toThrow(
      'no dpkg (not Debian or Ubuntu); install the equivalents of these Debian packages (versions.yaml debianPackages): libzmq3-dev pkg-config clang',
    );
  });
});
