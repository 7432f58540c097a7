import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/versions';
import type { AnyComponent } from './declaration';
import { afterProblems, COMPONENTS } from './registry';
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

  it('start only after registered components, and never in a cycle', () => {
    expect(afterProblems(COMPONENTS)).toEqual([]);
  });

  it.each(COMPONENTS.map((c) => [c.name, c] as const))(
    '%s: is listed after the components it starts after (the kind renderer installs in registry order)',
    (_, c) => {
      const at = (name: string): number => COMPONENTS.findIndex((x) => x.name === name);
      for (const name of c.wiring.after) expect([name, at(name) < at(c.name)]).toEqual([name, true]);
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

describe('afterProblems', () => {
  const named = (name: string, after: string[]): AnyComponent =>
    ({ name, ports: [], wiring: { after, instances: () => [] } }) as unknown as AnyComponent;

  it('names a component it starts after that is not registered', () => {
    expect(afterProblems([named('a', ['b'])])).toEqual(['a starts after b, which is not registered']);
  });

  it('names a cycle, which none of its components could start in', () => {
    expect(afterProblems([named('a', ['c']), named('b', ['a']), named('c', ['b']), named('d', ['a'])])).toEqual([
      'a cycle: a -> c -> b -> a',
    ]);
  });
});
