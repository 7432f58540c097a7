import {
  checkNativePrereqs,
  missingPrereqsError,
  pythonEmbedFlags,
  type CommandRunner,
  type NativePrereq,
} from './native-prereqs';

/** A fake machine: `answers` maps "cmd arg..." to output; anything else fails like a missing command. */
function machine(answers: Record<string, string>): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    if (line in answers) return answers[line];
    throw new Error(`${cmd} could not be started: spawn ${cmd} ENOENT`);
  };
  return { run, calls };
}

const everything = {
  'pkg-config --exists libzmq': '',
  'pkg-config --modversion libzmq': '4.3.5\n',
  'python3-config --cflags': '-I/py/include/python3.11 -O3 -Wall\n',
  'python3-config --ldflags --embed': ' -L/py/lib -lpython3.11 -ldl -lm \n',
  'cargo --version': 'cargo 1.90.0 (840b83a10 2025-07-30)\n',
};
const packages = ['libzmq3-dev', 'pkg-config'];

describe('native prerequisites of the KV-events EPP', () => {
  it('finds libzmq through pkg-config, the embedded Python through python3-config, and cargo', async () => {
    const { run, calls } = machine(everything);
    const prereqs = await checkNativePrereqs(run, packages);
    expect(prereqs.map((p) => [p.id, p.found, p.detail])).toEqual([
      ['libzmq', true, 'libzmq 4.3.5'],
      ['python3-config', true, 'links libpython3.11'],
      ['cargo', true, 'cargo 1.90.0 (840b83a10 2025-07-30)'],
    ]);
    expect(calls).toContain('pkg-config --exists libzmq');
    expect(missingPrereqsError(prereqs, 'the KV-events EPP')).toBeUndefined();
  });

  it('gives one line per missing prerequisite, naming it and how to get it', async () => {
    const prereqs = await checkNativePrereqs(machine({}).run, packages);
    expect(prereqs.every((p) => !p.found)).toBe(true);
    const message = missingPrereqsError(prereqs, 'the KV-events EPP')!.message;
    const lines = message.split('\n');
    expect(lines[0]).toBe('cannot build the KV-events EPP: 3 native prerequisites are missing');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^ {2}- libzmq \(pkg-config\) is missing .*fix: apt-get install -y libzmq3-dev pkg-config$/,
    );
    expect(lines[2]).toMatch(/^ {2}- python3-config \(embedded Python\) is missing .*python3-dev/);
    expect(lines[3]).toMatch(/^ {2}- cargo \(Rust\) is missing .*rustup/);
  });

  it('counts libzmq as missing when pkg-config has no libzmq, even though pkg-config runs', async () => {
    const withoutZmq: Record<string, string> = { ...everything };
    delete withoutZmq['pkg-config --exists libzmq'];
    const prereqs = await checkNativePrereqs(machine(withoutZmq).run, packages);
    expect(prereqs.find((p) => p.id === 'libzmq')?.found).toBe(false);
    expect(missingPrereqsError(prereqs, 'x')!.message).toBe(
      'cannot build x: 1 native prerequisite is missing\n' +
        '  - libzmq (pkg-config) is missing (`pkg-config --exists libzmq` failed: no libzmq headers/pkg-config); ' +
        'fix: apt-get install -y libzmq3-dev pkg-config',
    );
  });

  it('needs python3-config with --embed (Python 3.8+)', async () => {
    const old: Record<string, string> = { ...everything };
    delete old['python3-config --ldflags --embed'];
    const prereqs = await checkNativePrereqs(machine(old).run, packages);
    expect(prereqs.find((p) => p.id === 'python3-config')?.found).toBe(false);
  });

  it('tells rustup without a default toolchain from no cargo at all, and says how to fix each', async () => {
    const noToolchain: CommandRunner = async (cmd, args) => {
      if (cmd === 'cargo') {
        throw Object.assign(new Error('cargo --version exited with 1'), {
          output:
            "error: rustup could not choose a version of cargo to run, because one wasn't specified explicitly, and no default is configured.",
        });
      }
      return machine(everything).run(cmd, args);
    };
    const [, , cargo] = await checkNativePrereqs(noToolchain, packages);
    expect(cargo).toMatchObject({
      found: false,
      detail: '`cargo --version` failed: rustup is installed but has no default toolchain',
      fix: expect.stringContaining('rustup default stable'),
    });
    const noCargo = Object.fromEntries(Object.entries(everything).filter(([line]) => !line.startsWith('cargo')));
    const [, , none] = await checkNativePrereqs(machine(noCargo).run, packages);
    expect(none).toMatchObject({ found: false, fix: expect.stringContaining('https://rustup.rs') });
  });

  it('leaves out what is not needed, e.g. cargo once libtokenizers is built', () => {
    const cargoMissing: NativePrereq[] = [
      { id: 'libzmq', name: 'libzmq', found: true, detail: '', fix: '' },
      { id: 'cargo', name: 'cargo', found: false, detail: 'no', fix: 'rustup' },
    ];
    expect(missingPrereqsError(cargoMissing, 'x', ['cargo'])).toBeUndefined();
    expect(missingPrereqsError(cargoMissing, 'x')).toBeInstanceOf(Error);
  });

  it('returns the embedding flags on one line each', async () => {
    expect(await pythonEmbedFlags(machine(everything).run)).toEqual({
      cflags: '-I/py/include/python3.11 -O3 -Wall',
      ldflags: '-L/py/lib -lpython3.11 -ldl -lm',
    });
    expect(await pythonEmbedFlags(machine({}).run)).toBeUndefined();
  });
});
