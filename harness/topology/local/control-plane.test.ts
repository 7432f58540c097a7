import { resolveRunOptions } from '../../config/run-options';
import { loadVersions } from '../../tools/versions';
import { controlPlaneHolds, controlPlaneMismatch } from './control-plane';

const v = loadVersions();
const opts = (raw: Parameters<typeof resolveRunOptions>[0]) => resolveRunOptions(raw, {}, v);

describe("which local topologies use the suite's control plane", () => {
  const suite = { holds: controlPlaneHolds(opts({}), v) };

  it("holds the CRDs of the run's EPP (module@version) and names the run's operator release", () => {
    const pin = v.epp.versions[v.epp.default].crds;
    expect(suite.holds).toEqual({ eppCrds: `${pin.module}@${pin.version}`, operatorVersion: v.kind.operator.default });
  });

  it('takes every topology whose EPP reads the same CRDs, operator mode with the same release included', () => {
    expect(controlPlaneMismatch(opts({ models: 3 }), v, suite)).toBeUndefined();
    expect(
      controlPlaneMismatch(opts({ eppSamplerArg: '0.5', faults: ['mock-vllm:no-spans'] }), v, suite),
    ).toBeUndefined();
    expect(controlPlaneMismatch(opts({ kvEventsEpp: true }), v, suite)).toBeUndefined();
    expect(controlPlaneMismatch(opts({ operatorMode: true }), v, suite)).toBeUndefined();
  });

  it('refuses an EPP that reads other CRDs, an operator of another release and kind, saying why', () => {
    const older = Object.keys(v.epp.versions).find(
      (name) =>
        v.epp.versions[name].build && controlPlaneHolds(opts({ eppVersion: name }), v).eppCrds !== suite.holds.eppCrds,
    );
    expect(older).toBeDefined();
    expect(controlPlaneMismatch(opts({ eppVersion: older }), v, suite)).toMatch(
      new RegExp(`^its EPP reads the CRDs of .*@v[0-9.]+, not ${suite.holds.eppCrds}$`),
    );
    const otherOperator = { holds: { ...suite.holds, operatorVersion: 'v0.1.0' } };
    expect(controlPlaneMismatch(opts({ operatorMode: true }), v, otherOperator)).toBe(
      `its operator ${v.kind.operator.default} has other CRDs than v0.1.0`,
    );
    // Without the operator, its release does not matter.
    expect(controlPlaneMismatch(opts({}), v, otherOperator)).toBeUndefined();
    expect(controlPlaneMismatch(opts({ topology: 'kind' }), v, suite)).toBe(
      'the kind topology has a cluster of its own',
    );
  });
});
