import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/versions';
import { COMPONENTS } from './registry';
import { MANIFESTS_DIR } from './templates';

describe('component declarations', () => {
  it('name each part once', () => {
    const names = COMPONENTS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(COMPONENTS.map((c) => [c.name, c] as const))('%s: its ports have distinct names', (_, c) => {
    expect(new Set(c.ports).size).toBe(c.ports.length);
  });

  it.each(COMPONENTS.filter((c) => c.manifest).map((c) => [c.name, c] as const))(
    '%s: its manifest template exists and gives every named port, each its own number, in the pod',
    (_, c) => {
      const m = c.manifest!;
      expect(existsSync(join(MANIFESTS_DIR, m.template))).toBe(true);
      expect(Object.keys(m.ports).sort()).toEqual([...c.ports].sort());
      expect(new Set(Object.values(m.ports)).size).toBe(c.ports.length);
    },
  );

  it('import nothing from topology/: both topologies read them, neither is read by them', () => {
    const dir = join(REPO_ROOT, 'harness', 'components');
    const upward = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /['"]\.\.\/topology[/'"]/.test(readFileSync(join(dir, f), 'utf8')));
    expect(upward).toEqual([]);
  });
});
