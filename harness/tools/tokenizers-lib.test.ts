import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecOptions } from '../runtime/exec';
import { ensureTokenizersLib, tokenizersLibBuilt, tokenizersLibDir } from './tokenizers-lib';
import type { Exec } from './build-go-tool';
import { loadVersions } from './versions';

const v = loadVersions();
const { module: tokModule, version } = v.kvEventsEpp.tokenizers;

/** A read-only copy of a module's source, as in the Go module cache. */
function readOnlyModule(root: string): string {
  const dir = join(root, 'modcache', `tokenizers@${version}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'Cargo.toml'), '[package]\nname = "tokenizers"\n');
  writeFileSync(join(dir, 'Cargo.lock'), '# locked\n');
  writeFileSync(join(dir, 'src', 'lib.rs'), '// rust\n');
  for (const f of ['Cargo.toml', 'Cargo.lock', join('src', 'lib.rs')]) chmodSync(join(dir, f), 0o444);
  chmodSync(join(dir, 'src'), 0o555);
  chmodSync(dir, 0o555);
  return dir;
}

/** Fake go and cargo: cargo checks it may write next to Cargo.lock and leaves a libtokenizers.a. */
function fakeTools(moduleDir: string, goAnswer?: object): { run: Exec; calls: string[] } {
  const calls: string[] = [];
  const run: Exec = async (cmd: string, args: string[], opts?: ExecOptions) => {
    calls.push([cmd, ...args].join(' '));
    if (cmd === 'go') return JSON.stringify(goAnswer ?? { Path: tokModule, Version: version, Dir: moduleDir });
    if (cmd === 'cargo') {
      writeFileSync(join(opts!.cwd!, 'Cargo.lock'), '# cargo rewrites it\n');
      writeFileSync(join(opts!.cwd!, 'src', 'new.rs'), '');
      const release = join(opts!.env!.CARGO_TARGET_DIR!, 'release');
      mkdirSync(release, { recursive: true });
      writeFileSync(join(release, 'libtokenizers.a'), 'archive');
      return '';
    }
    throw new Error(`unexpected ${cmd}`);
  };
  return { run, calls };
}

describe('libtokenizers', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'epp-e2e-tokenizers-test-'));
    env = { ...process.env, EPP_E2E_CACHE: join(root, 'cache') };
  });
  afterEach(() => {
    const dir = join(root, 'modcache', `tokenizers@${version}`);
    if (existsSync(dir)) [dir, join(dir, 'src')].forEach((d) => chmodSync(d, 0o755));
    rmSync(root, { recursive: true, force: true });
  });

  it('builds with cargo from a writable copy of the module source into the cache, once', async () => {
    const src = readOnlyModule(root);
    const { run, calls } = fakeTools(src);
    const messages: string[] = [];
    expect(tokenizersLibBuilt(v, env)).toBe(false);
    const dir = await ensureTokenizersLib(v, (m) => messages.push(m), env, run);
    expect(dir).toBe(tokenizersLibDir(v, env));
    expect(dir).toBe(join(root, 'cache', 'tools', 'tokenizers', version, 'lib'));
    expect(readFileSync(join(dir, 'libtokenizers.a'), 'utf8')).toBe('archive');
    expect(calls).toEqual([`go mod download -json ${tokModule}@${version}`, 'cargo build --release --locked']);
    expect(messages[0]).toBe(`building libtokenizers ${version} with cargo (first time only, about a minute)`);
    expect(messages.at(-1)).toMatch(new RegExp(`^built libtokenizers ${version} in \\d+s$`));
    // The build tree (and cargo's target dir) is not kept; the module cache is untouched.
    expect(existsSync(join(root, 'cache', 'tools', 'tokenizers', version, 'build'))).toBe(false);
    expect(readFileSync(join(src, 'Cargo.lock'), 'utf8')).toBe('# locked\n');
    expect(tokenizersLibBuilt(v, env)).toBe(true);

    const again = fakeTools(src);
    expect(await ensureTokenizersLib(v, () => undefined, env, again.run)).toBe(dir);
    expect(again.calls).toEqual([]);
  });

  it('says when go cannot download the module, and leaves nothing that looks built', async () => {
    readOnlyModule(root);
    const { run } = fakeTools('', { Error: 'reading https://proxy/...: 403 Forbidden' });
    await expect(ensureTokenizersLib(v, () => undefined, env, run)).rejects.toThrow(
      `go could not download ${tokModule}@${version}: reading https://proxy/...: 403 Forbidden`,
    );
    expect(tokenizersLibBuilt(v, env)).toBe(false);
    expect(existsSync(join(root, 'cache', 'tools', 'tokenizers', version, '.lock'))).toBe(false);
  });

  it('does not stamp a failed cargo build', async () => {
    const src = readOnlyModule(root);
    const failing: Exec = async (cmd, args, opts) => {
      if (cmd === 'cargo') throw new Error('cargo build --release --locked exited with 101');
      return fakeTools(src).run(cmd, args, opts);
    };
    await expect(ensureTokenizersLib(v, () => undefined, env, failing)).rejects.toThrow('exited with 101');
    expect(tokenizersLibBuilt(v, env)).toBe(false);
  });
});
