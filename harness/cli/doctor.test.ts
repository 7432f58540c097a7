import { loadVersions } from '../tools/versions';
import { formatChecks, runDoctor } from './doctor';

const v = loadVersions();
const answers =
  (found: Record<string, string>) =>
  async (cmd: string): Promise<string> => {
    if (cmd in found) return found[cmd];
    throw new Error(`${cmd}: not found`);
  };

describe('doctor', () => {
  it('passes local when the toolchains are there, even before the tools are built', async () => {
    const checks = await runDoctor(v, undefined, answers({ go: 'go version go1.26', python3: 'pip 23' }), () => false);
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(true);
    expect(text).toContain('not built yet: `make tools` builds it');
  });

  it('fails local and says what to install when a tool is missing and Go is too', async () => {
    const checks = await runDoctor(v, undefined, answers({ python3: 'pip 23' }), () => false);
    const { ok, text } = formatChecks(checks, 'local');
    expect(ok).toBe(false);
    expect(text).toMatch(/FAIL {2}go +not found/);
    expect(text).toContain('fix: install Go 1.24 or newer');
    expect(text).toMatch(/FAIL {2}EPP gie-v1\.5\.0 +not built, and no Go to build it/);
    expect(text).toContain('topology local: cannot run here');
  });

  it('passes local without Go or Python once every tool is cached', async () => {
    const { ok } = formatChecks(await runDoctor(v, undefined, answers({}), () => true), 'local');
    expect(ok).toBe(true);
  });

  it('fails kind without a container engine and points at the local topology', async () => {
    const checks = await runDoctor(v, undefined, answers({ go: 'go1.26', python3: 'pip' }), () => true);
    const { ok, text } = formatChecks(checks, 'kind');
    expect(ok).toBe(false);
    expect(text).toMatch(/FAIL {2}container engine \(Docker\)/);
    expect(text).toContain('use `--topology local` instead');
  });
});
