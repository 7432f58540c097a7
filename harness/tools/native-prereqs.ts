/**
 * The native prerequisites of the KV-events EPP's cgo build (versions.yaml kvEventsEpp): libzmq found through
 * pkg-config, python3-config for the embedded Python, and cargo for libtokenizers. Pure functions over an
 * injected command runner, so doctor, the tool build and the tests share them.
 */

/** Runs a command to completion and returns its output; rejects when it cannot start or exits non-zero. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<string>;

export type NativePrereqId = 'libzmq' | 'python3-config' | 'cargo';

export interface NativePrereq {
  id: NativePrereqId;
  /** What it is, for doctor's column. */
  name: string;
  found: boolean;
  /** The version or flags found, or what is missing. */
  detail: string;
  /** How to get it. */
  fix: string;
}

/** CGO_CFLAGS/CGO_LDFLAGS parts for embedding the Python that python3-config describes. */
export interface PythonEmbedFlags {
  cflags: string;
  ldflags: string;
}

async function output(run: CommandRunner, cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run(cmd, args)).trim();
  } catch {
    return undefined;
  }
}

/** One line per line of output joined by spaces: python3-config prints flags on one line, but be lenient. */
function oneLine(text: string): string {
  return text.split('\n').join(' ').replace(/\s+/g, ' ').trim();
}

/** The flags for embedding Python, or undefined when python3-config is missing or too old for `--embed`. */
export async function pythonEmbedFlags(run: CommandRunner): Promise<PythonEmbedFlags | undefined> {
  const cflags = await output(run, 'python3-config', ['--cflags']);
  const ldflags = await output(run, 'python3-config', ['--ldflags', '--embed']);
  if (cflags === undefined || ldflags === undefined) return undefined;
  return { cflags: oneLine(cflags), ldflags: oneLine(ldflags) };
}

/** Checks every native prerequisite; `debianPackages` are what provides libzmq (versions.yaml). */
export async function checkNativePrereqs(run: CommandRunner, debianPackages: string[]): Promise<NativePrereq[]> {
  const prereqs: NativePrereq[] = [];

  const zmq =
    (await output(run, 'pkg-config', ['--exists', 'libzmq'])) !== undefined
      ? ((await output(run, 'pkg-config', ['--modversion', 'libzmq'])) ?? 'found')
      : undefined;
  prereqs.push({
    id: 'libzmq',
    name: 'libzmq (pkg-config)',
    found: zmq !== undefined,
    detail: zmq !== undefined ? `libzmq ${zmq}` : '`pkg-config --exists libzmq` failed: no libzmq headers/pkg-config',
    fix: `apt-get install -y ${debianPackages.join(' ')}`,
  });

  const python = await pythonEmbedFlags(run);
  const libpython = python ? /-l(python\S+)/.exec(python.ldflags)?.[1] : undefined;
  prereqs.push({
    id: 'python3-config',
    name: 'python3-config (embedded Python)',
    found: python !== undefined,
    detail: python
      ? `links lib${libpython ?? 'python (no -lpython in --ldflags --embed)'}`
      : '`python3-config --cflags` / `--ldflags --embed` failed: no Python development headers',
    fix:
      'install the Python development headers that provide python3-config (Python 3.8 or newer): ' +
      '`apt-get install -y python3-dev`, or a pyenv/python.org build',
  });

  let cargo: string | undefined;
  let cargoError = '';
  try {
    cargo = (await run('cargo', ['--version'])).trim();
  } catch (err) {
    cargoError = `${(err as Error).message}\n${(err as { output?: string }).output ?? ''}`;
  }
  // rustup's `cargo` with no toolchain for this user (none installed, or RUSTUP_HOME/HOME pointing elsewhere)
  // fails differently from no cargo at all, and wants another fix.
  const noToolchain = /no default is configured|could not choose a version of cargo/.test(cargoError);
  prereqs.push({
    id: 'cargo',
    name: 'cargo (Rust)',
    found: cargo !== undefined,
    detail: cargo
      ? cargo.split('\n')[0]
      : noToolchain
        ? '`cargo --version` failed: rustup is installed but has no default toolchain'
        : '`cargo --version` failed: no Rust toolchain',
    fix: noToolchain
      ? '`rustup default stable` (or point RUSTUP_HOME at the rustup folder that has your toolchains)'
      : 'install Rust with rustup (https://rustup.rs), then make sure ~/.cargo/bin is on PATH',
  });
  return prereqs;
}

/** One line for a missing prerequisite: what is missing and how to get it. */
export function missingLine(p: NativePrereq): string {
  return `${p.name} is missing (${p.detail}); fix: ${p.fix}`;
}

/**
 * The error for the prerequisites that are missing, listing every one, or undefined when none is.
 * `notNeeded` leaves some out, e.g. cargo once libtokenizers is built.
 */
export function missingPrereqsError(
  prereqs: NativePrereq[],
  what: string,
  notNeeded: NativePrereqId[] = [],
): Error | undefined {
  const missing = prereqs.filter((p) => !p.found && !notNeeded.includes(p.id));
  if (missing.length === 0) return undefined;
  return new Error(
    `cannot build ${what}: ${missing.length} native prerequisite${missing.length > 1 ? 's are' : ' is'} missing\n` +
      missing.map((p) => `  - ${missingLine(p)}`).join('\n'),
  );
}
