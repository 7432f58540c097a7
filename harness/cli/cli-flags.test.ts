import { execFileSync } from 'node:child_process';
import { OptionError } from '../config/run-options';
import { parseCommandFlags, usage } from './main';
import { chooseTopology } from './topology-choice';
import { REPO_ROOT } from '../tools/versions';

describe('epp-e2e flags, per command', () => {
  it('refuses a flag its command does not take, listing the ones it does', () => {
    expect(() => parseCommandFlags('run', ['--models', '4'])).toThrow(
      new OptionError(
        'run does not take --models; it takes: --topology, --scenario, --fault, --epp-version, --epp-binary, ' +
          '--epp-contract, --jaeger-version, --envoy-version, --cluster-name, --reuse-cluster, --keep-cluster, --operator-version',
      ),
    );
    expect(() => parseCommandFlags('run', ['--epp-sampler-arg', '0.3'])).toThrow('run does not take --epp-sampler-arg');
    expect(parseCommandFlags('run', ['--epp-binary', '/x/epp', '--epp-contract', 'none'])).toMatchObject({
      'epp-binary': '/x/epp',
      'epp-contract': 'none',
    });
    expect(parseCommandFlags('doctor', ['--epp-binary', '/x/epp'])).toMatchObject({ 'epp-binary': '/x/epp' });
    expect(() => parseCommandFlags('down', ['--topology', 'local'])).toThrow(
      'down does not take --topology; it takes: no options',
    );
  });

  it('takes the flags a command lists', () => {
    expect(parseCommandFlags('up', ['--models', '4', '--epp-sampler-arg', '0.3'])).toMatchObject({
      models: '4',
      'epp-sampler-arg': '0.3',
    });
    expect(parseCommandFlags('run', ['--help'])).toMatchObject({ help: true });
  });

  it('has help for the whole tool and for each command', () => {
    expect(usage()).toMatch(/^usage: epp-e2e <command> \[options\]\n\ncommands:\n {2}packages /);
    expect(usage()).toContain('  run            run scenarios (all by default)');
    const run = usage('run');
    expect(run).toContain('usage: epp-e2e run [options]');
    expect(run).toContain('--scenario NAME ...');
    expect(run).not.toContain('--models');
  });
});

describe('--topology auto', () => {
  const docker = (ok: boolean) => async () =>
    ok
      ? ({ ok: true, version: '28.2.2' } as const)
      : ({ ok: false, why: 'Cannot connect to the Docker daemon' } as const);

  it('is kind when a Docker engine answers and local otherwise, saying why', async () => {
    await expect(chooseTopology(undefined, docker(true))).resolves.toEqual({
      topology: 'kind',
      reason: 'auto: a Docker engine answers (28.2.2)',
    });
    await expect(chooseTopology('auto', docker(false))).resolves.toEqual({
      topology: 'local',
      reason: 'auto: no Docker engine answers (Cannot connect to the Docker daemon)',
    });
  });

  it('forced kind fails clearly without Docker; local never probes', async () => {
    await expect(chooseTopology('kind', docker(false))).rejects.toThrow(
      'the kind topology needs a Docker engine, and none answers (Cannot connect to the Docker daemon). ' +
        'Start Docker, or run the local topology, which needs no container engine: make e2e TOPOLOGY=local',
    );
    const never = async (): Promise<never> => {
      throw new Error('probed');
    };
    await expect(chooseTopology('local', never)).resolves.toMatchObject({ topology: 'local' });
    await expect(chooseTopology('k3d', never)).rejects.toThrow(
      'unknown topology "k3d"; choose one of: auto, local, kind',
    );
  });
});

describe("the CLI's start", () => {
  it('loads no command code, component, topology, driver or trace module: --help and a flag error answer at once', () => {
    // A process of its own (the real loader, a clean module cache), as `epp-e2e` starts.
    const script =
      "require('./bin/ts-register'); require('./harness/cli/main'); " +
      "console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('/harness/'))" +
      ".map((f) => f.slice(f.indexOf('/harness/') + 1))));";
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }),
    ) as string[];
    expect(loaded).toContain('harness/cli/main.ts');
    const heavy = loaded.filter(
      (f) =>
        f === 'harness/cli/commands.ts' ||
        /^harness\/(topology|traces|drivers|compare)\//.test(f) ||
        f === 'harness/components/epp.ts' ||
        f === 'harness/components/envoy.ts' ||
        f === 'harness/runtime/readiness.ts',
    );
    expect(heavy).toEqual([]);
  });
});
