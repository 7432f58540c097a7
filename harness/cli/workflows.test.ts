import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { resolveRunOptions } from '../config/run-options';
import { REPO_ROOT, loadVersions } from '../tools/versions';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow = (name: string): any => parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', name), 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const steps = (wf: any): { uses?: string; run?: string; with?: Record<string, string> }[] =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Object.values(wf.jobs).flatMap((j: any) => j.steps);

describe('GitHub workflows', () => {
  it.each(['pr.yaml', 'e2e-nightly.yaml'])('%s pins every action to a release version', (name) => {
    const uses = steps(workflow(name))
      .map((s) => s.uses)
      .filter(Boolean);
    expect(uses.length).toBeGreaterThan(3);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
  });

  it('pr runs the README test command, with the local topology, and publishes JUnit', () => {
    const s = steps(workflow('pr.yaml'));
    expect(s.map((x) => x.run).filter(Boolean)).toEqual(['.ci/run']);
    // Unit and e2e results are separate files, and both are published.
    expect(
      s.filter((x) => x.uses?.startsWith('mikepenz/action-junit-report')).map((x) => x.with?.report_paths),
    ).toEqual(['reports/junit-e2e.xml', 'reports/junit-unit.xml']);
  });

  it('nightly runs kind over the pinned and the newest operator, uploads artifacts, and checks the upgrade', () => {
    const wf = workflow('e2e-nightly.yaml');
    expect(wf.jobs.kind.strategy.matrix.operator).toEqual(['pinned', 'latest']);
    expect(steps({ jobs: { kind: wf.jobs.kind } }).map((x) => x.run)).toContain('make e2e TOPOLOGY=kind');
    expect(steps(wf).filter((x) => x.uses?.startsWith('actions/upload-artifact'))).toHaveLength(3);
    expect(steps({ jobs: { u: wf.jobs['upgrade-check'] } }).map((x) => x.run)).toContain(
      'node bin/epp-e2e.js upgrade-check',
    );
  });

  it('nightly runs the fault matrix (make faults) on a machine prepared as for make test', () => {
    const wf = workflow('e2e-nightly.yaml');
    expect(steps({ jobs: { f: wf.jobs.faults } }).map((x) => x.run)).toContain('.ci/run faults');
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toContain('make "$1"');
  });

  it.each(['pr.yaml', 'e2e-nightly.yaml'])(
    '%s caches the tools and the Go build and module caches, keyed by the Go version and versions.yaml',
    (name) => {
      for (const c of steps(workflow(name)).filter((x) => x.uses?.startsWith('actions/cache'))) {
        expect(c.with?.path).toContain('~/.cache/go-build');
        expect(c.with?.key).toMatch(/go1\.26\.8-\$\{\{ hashFiles\('versions\.yaml'\) \}\}$/);
      }
      for (const g of steps(workflow(name)).filter((x) => x.uses?.startsWith('actions/setup-go'))) {
        expect(g.with?.['go-version']).toBe('1.26.8');
      }
    },
  );

  it('the matrix values resolve: an empty version (pinned) is the pin, latest is latest', () => {
    const v = loadVersions();
    expect(resolveRunOptions({}, { EPP_E2E_OPERATOR_VERSION: '' }, v).kind.operatorVersion).toBe(
      v.kind.operator.default,
    );
    expect(resolveRunOptions({}, { EPP_E2E_OPERATOR_VERSION: 'latest' }, v).kind.operatorVersion).toBe('latest');
  });
});
