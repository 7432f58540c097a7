import { resolveRunOptions } from '../config/run-options';
import { FakeKindCli } from '../topology/kind/fake-cluster';
import { loadVersions } from '../tools/versions';
import { operatorUpgradeCheck, upgradeVariants } from './upgrade-check';

const versions = loadVersions();

describe('operator upgrade check', () => {
  it('runs both operator versions in one cluster that neither side deletes', () => {
    const base = resolveRunOptions({ topology: 'kind' }, {}, versions);
    const [a, b] = upgradeVariants(base, 'v0.143.0', 'v0.148.0');
    expect([a.version, b.version]).toEqual(['operator-v0.143.0', 'operator-v0.148.0']);
    expect(a.opts.kind).toMatchObject({ operatorVersion: 'v0.143.0', reuseCluster: true, keepCluster: true });
    expect(b.opts.kind).toMatchObject({ operatorVersion: 'v0.148.0', reuseCluster: true, keepCluster: true });
    expect(b.opts.eppVersion).toBe(base.eppVersion);
  });

  it('is the kind path (local has its own), and needs a Docker engine, and says so before creating anything', async () => {
    const kind = new FakeKindCli();
    const local = resolveRunOptions({}, {}, versions);
    await expect(
      operatorUpgradeCheck(local, 'a', 'b', [], '/tmp', { kind, versions }, () => undefined),
    ).rejects.toThrow('operatorUpgradeCheck is the kind path; local is localOperatorUpgradeCheck');
    kind.docker = undefined;
    const base = resolveRunOptions({ topology: 'kind' }, {}, versions);
    await expect(operatorUpgradeCheck(base, 'a', 'b', [], '/tmp', { kind, versions }, () => undefined)).rejects.toThrow(
      'the kind topology needs a running Docker engine',
    );
    expect(kind.calls).toEqual(['docker info']);
  });
});
