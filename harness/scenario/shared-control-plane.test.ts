import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handoffFile, writeHandoff } from './handoff';
import { CONTROL_PLANE_HOLDS, CONTROL_PLANE_FILE, suiteControlPlane } from './shared-control-plane';

describe("the suite's control plane as the scenario files are offered it", () => {
  it('is no offer when the run started none', () => {
    expect(suiteControlPlane(() => undefined, {})).toBeUndefined();
  });

  it('says what it holds at once, and is waited for once a topology wants it; its start failure is theirs', async () => {
    const holds = { eppCrds: 'example.com/crds@v1.0.0', operatorVersion: 'v0.1.0' };
    const file = handoffFile(mkdtempSync(join(tmpdir(), 'control-plane-')), 'control-plane');
    const env = { [CONTROL_PLANE_FILE]: file, [CONTROL_PLANE_HOLDS]: JSON.stringify(holds) };
    const told: string[] = [];
    const offer = suiteControlPlane((m) => told.push(m), env);
    expect(offer?.holds).toEqual(holds);
    const ready = offer!.ready();
    setTimeout(() => writeHandoff(file, { server: 'https://127.0.0.1:1', runDir: '/x' }), 50);
    expect(await ready).toMatchObject({ server: 'https://127.0.0.1:1', runDir: '/x' });
    expect(told).toEqual([`waiting for the suite's control plane to come up (${file})`]);

    writeHandoff(file, { error: 'kube-apiserver /readyz: timed out' });
    await expect(offer!.ready()).rejects.toThrow(
      "the suite's control plane did not start: kube-apiserver /readyz: timed out",
    );
  });
});
