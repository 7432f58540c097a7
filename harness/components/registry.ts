import type { AnyComponent } from './declaration';
import { envoy } from './envoy';
import { epp } from './epp';
import { etcd } from './etcd';
import { goAutoAgent } from './go-auto-agent';
import { jaeger } from './jaeger';
import { kubeApiserver } from './kube-apiserver';
import { mockVllm } from './mock-vllm';
import { operator } from './operator';

/**
 * Every part of the system under test. The local topology starts them from here (each once the ones its `after`
 * names are ready, the others at once), the kind renderer renders them in this order. The checks of
 * registry.test.ts hold for each: a new part listed here gets them without writing any.
 */
export const COMPONENTS: readonly AnyComponent[] = [
  etcd,
  kubeApiserver,
  jaeger,
  mockVllm,
  operator,
  epp,
  envoy,
  goAutoAgent,
];

/**
 * What is wrong with the components' `after`: a name that is not among them, or a cycle (then none of the
 * cycle could ever start). Empty when every component can start.
 */
export function afterProblems(components: readonly AnyComponent[]): string[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  // `afterStarted` orders starts as `after` does (only the wait differs).
  const waitsFor = (c: AnyComponent): readonly string[] => [...c.wiring.after, ...(c.wiring.afterStarted ?? [])];
  const problems = components.flatMap((c) =>
    waitsFor(c)
      .filter((n) => !byName.has(n))
      .map((n) => `${c.name} starts after ${n}, which is not registered`),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: AnyComponent, path: string[]): void => {
    if (state.get(c.name) === 'done') return;
    if (state.get(c.name) === 'visiting') {
      problems.push(`a cycle: ${[...path.slice(path.indexOf(c.name)), c.name].join(' -> ')}`);
      return;
    }
    state.set(c.name, 'visiting');
    for (const n of waitsFor(c)) {
      const next = byName.get(n);
      if (next) visit(next, [...path, c.name]);
    }
    state.set(c.name, 'done');
  };
  for (const c of components) visit(c, []);
  return problems;
}
