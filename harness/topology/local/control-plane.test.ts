import { resolveRunOptions } from '../../config/run-options';
import { loadVersions } from '../../tools/versions';
import { controlPlaneMismatch, eppCrdsOf } from './control-plane';

const v = loadVersions();
const opts = (raw: Parameters<typeof resolveRunOptions>[0]) => resolveRunOptions(raw, {}, v);

describe("which local topologies use the suite's control plane", () => {
  const suite = { crds: eppCrdsOf(opts({}), v) };

  it('names the CRDs by the module and version the EPP reads them from', () => {
    const pin = v.epp.versions[v.epp.default].crds;
    expect(suite.crds).toBe(`${pin.module}@${pin.version}`);
  });

  it('takes every topology whose EPP reads the same CRDs, whatever else its options change', () => {
    expect(controlPlaneMismatch(opts({ models: 3 }), v, suite)).toBeUndefined();
    expect(
      controlPlaneMismatch(opts({ eppSamplerArg: '0.5', faults: ['mock-vllm:no-spans'] }), v, suite),
    ).toBeUndefined();
    expect(controlPlaneMismatch(opts({ kvEventsEpp: true }), v, suite)).toBeUndefined();
  });

  it('refuses an EPP that reads other CRDs, operator mode and kind, saying why', () => {
    const older = Object.keys(v.epp.versions).find(
      (name) => v.epp.versions[name].build && eppCrdsOf(opts({ eppVersion: name }), v) !== suite.crds,
    );
    expect(older).toBeDefined();
    expect(controlPlaneMismatch(opts({ eppVersion: older }), v, suite)).toMatch(
      new RegExp(`^its EPP reads the CRDs of .*@v[0-9.]+, not ${suite.crds}$`),
    );
    expect(controlPlaneMismatch(opts({ operatorMode: true }), v, suite)).toBe(
      'operator mode registers a cluster-wide pod webhook',
    );
    expect(controlPlaneMismatch(opts({ topology: 'kind' }), v, suite)).toBe(
      'the kind topology has a cluster of its own',
    );
  });
});
