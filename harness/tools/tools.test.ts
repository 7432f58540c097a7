import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GoToolSpec } from './build-go-tool';
import type { CommandRunner } from './native-prereqs';
import { ensureTokenizersLib } from './tokenizers-lib';
import { ensureKvEventsEpp, kvEventsEppCgo, kvEventsEppPaths, kvEventsEppSpec, type KvEventsEppDeps } from './tools';
import { loadVersions } from './versions';

const v = loadVersions();
const pin = v.kvEventsEpp;

const machineWithEverything: Record<string, string> = {
  'pkg-config --exists libzmq': '',
  'pkg-config --modversion libzmq': '4.3.5',
  'python3-config --cflags': '-I/py/include/python3.11 -O3',
  'python3-config --ldflags --embed': '-L/py/lib -lpython3.11 -ldl -lm',
  'cargo --version': 'cargo 1.90.0',
};

function runner(answers: Record<string, string>): CommandRunner {
  return async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    if (line in answers) return answers[line];
    throw new Error(`${cmd}: not found`);
  };
}

describe('the KV-events EPP tool', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let kvCacheDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'epp-e2e-kv-epp-test-'));
    env = { ...process.env, EPP_E2E_CACHE: join(root, 'cache') };
    kvCacheDir = join(root, 'modcache', `llm-d-kv-cache-manager@${pin.kvCacheManager.version}`);
    mkdirSync(join(kvCacheDir, 'pkg', 'preprocessing', 'chat_completions'), { recursive: true });
    writeFileSync(join(kvCacheDir, 'pkg', 'preprocessing', 'chat_completions', 'render_jinja_template_wrapper.py'), '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Fakes for every step; records what was built with which spec. */
  function deps(answers: Record<string, string>): KvEventsEppDeps & { built: string[]; specs: GoToolSpec[] } {
    const built: string[] = [];
    const specs: GoToolSpec[] = [];
    return {
      built,
      specs,
      run: runner(answers),
      ensureTokenizersLib: async () => {
        built.push('libtokenizers');
        return '/cache/tokenizers/lib';
      },
      ensureGoTool: async (spec) => {
        built.push(`${spec.name} ${spec.key}`);
        specs.push(spec);
        return { [pin.binary]: `/cache/${spec.name}/${spec.key}/bin/${pin.binary}` };
      },
      moduleDir: async (m) => {
        expect(m).toEqual(pin.kvCacheManager);
        return kvCacheDir;
      },
    };
  }

  it('is its own pinned cgo tool, cached beside the GIE EPPs', () => {
    const spec = kvEventsEppSpec(v);
    expect(spec).toEqual({
      name: 'epp',
      key: `llm-d-inference-scheduler-${pin.version}`,
      pins: [{ module: pin.module, version: pin.version, package: pin.package, binary: 'epp' }],
      replacesFrom: spec.pins,
    });
    expect(kvEventsEppSpec(v, { cflags: 'c', ldflags: 'l' }).cgo).toEqual({ cflags: 'c', ldflags: 'l' });
    expect(kvEventsEppPaths(v, env)).toEqual({
      binary: join(root, 'cache', 'tools', 'epp', `llm-d-inference-scheduler-${pin.version}`, 'bin', 'epp'),
      tokenizersLib: join(root, 'cache', 'tools', 'tokenizers', pin.tokenizers.version, 'lib', 'libtokenizers.a'),
    });
  });

  it('links the embedded Python and libtokenizers.a', () => {
    expect(kvEventsEppCgo({ cflags: '-I/py', ldflags: '-L/py/lib -lpython3.11' }, '/lib/tok')).toEqual({
      cflags: '-I/py -I/lib/tok',
      ldflags: '-L/py/lib -lpython3.11 -L/lib/tok -ltokenizers -ldl -lm',
    });
  });

  it('builds libtokenizers, then the EPP with cgo, and returns the PYTHONPATH it runs with', async () => {
    const d = deps(machineWithEverything);
    const result = await ensureKvEventsEpp(v, () => undefined, env, d);
    expect(d.built).toEqual(['libtokenizers', `epp llm-d-inference-scheduler-${pin.version}`]);
    expect(d.specs[0].cgo).toEqual({
      cflags: '-I/py/include/python3.11 -O3 -I/cache/tokenizers/lib',
      ldflags: '-L/py/lib -lpython3.11 -ldl -lm -L/cache/tokenizers/lib -ltokenizers -ldl -lm',
    });
    expect(result).toEqual({
      binary: `/cache/epp/llm-d-inference-scheduler-${pin.version}/bin/epp`,
      pythonPath: join(kvCacheDir, 'pkg', 'preprocessing', 'chat_completions'),
    });
  });

  it('checks every native prerequisite first and lists each missing one, building nothing', async () => {
    const d = deps({});
    const err = await ensureKvEventsEpp(v, () => undefined, env, d).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^cannot build the KV-events EPP \(.*@v0\.4\.0\): 3 native prerequisites/);
    expect((err as Error).message).toContain('apt-get install -y libzmq3-dev pkg-config');
    expect((err as Error).message).toContain('python3-config');
    expect((err as Error).message).toContain('rustup');
    expect(d.built).toEqual([]);
  });

  it('needs no cargo once libtokenizers.a is in the cache', async () => {
    // A real (faked-command) libtokenizers build puts it into this test's cache.
    const modDir = join(root, 'tok');
    mkdirSync(modDir);
    writeFileSync(join(modDir, 'Cargo.toml'), '');
    await ensureTokenizersLib(
      v,
      () => undefined,
      env,
      async (cmd, _args, opts) => {
        if (cmd === 'go') return JSON.stringify({ Dir: modDir });
        mkdirSync(join(opts!.env!.CARGO_TARGET_DIR!, 'release'), { recursive: true });
        writeFileSync(join(opts!.env!.CARGO_TARGET_DIR!, 'release', 'libtokenizers.a'), '');
        return '';
      },
    );
    const withoutCargo = { ...machineWithEverything };
    delete withoutCargo['cargo --version'];
    const d = deps(withoutCargo);
    await expect(ensureKvEventsEpp(v, () => undefined, env, d)).resolves.toMatchObject({ binary: expect.any(String) });
    expect(d.built).toContain('libtokenizers');
  });

  it('says so when the kv-cache module lacks the chat-template module', async () => {
    rmSync(join(kvCacheDir, 'pkg'), { recursive: true });
    await expect(ensureKvEventsEpp(v, () => undefined, env, deps(machineWithEverything))).rejects.toThrow(
      'has no pkg/preprocessing/chat_completions/render_jinja_template_wrapper.py',
    );
  });
});
