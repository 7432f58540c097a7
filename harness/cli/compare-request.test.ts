import { OptionError } from '../config/run-options';
import { loadVersions } from '../tools/versions';
import { compareRequest } from './flag-values';

describe('compare request', () => {
  const v = loadVersions();

  it('compares EPPs, Envoys or Jaegers, keeping the other components at their pins', () => {
    const envoy = compareRequest({ 'envoy-version': ['1.39.3', '1.40.0'] });
    expect(envoy.subject).toBe('Envoy');
    expect(envoy.variants.map((x) => x.version)).toEqual(['1.39.3', '1.40.0']);
    expect(envoy.variants[0].opts).toMatchObject({
      envoyVersion: '1.39.3',
      jaegerRelease: v.jaeger.release,
      eppVersion: v.epp.default,
    });

    // No second Jaeger can be built here (see versions.yaml); the flag still says what it knows.
    expect(() => compareRequest({ 'jaeger-version': ['v2.12.0', 'v2.13.0'] })).toThrow(
      'unknown Jaeger release "v2.12.0"; pinned: v2.13.0',
    );

    const epp = compareRequest({ 'epp-version': ['v1.4.0', 'gie-v1.5.0'] });
    expect(epp.variants.map((x) => x.version)).toEqual(['gie-v1.4.0', 'gie-v1.5.0']);
  });

  it.each([
    [{}, 'compare takes exactly two of one of --epp-version, --envoy-version, --jaeger-version'],
    [{ 'envoy-version': ['1.39.3'] }, 'compare takes exactly two of one of'],
    [
      { 'envoy-version': ['1.39.3', '1.40.0'], 'epp-version': ['v1.4.0', 'v1.5.0'] },
      'compare takes exactly two of one of',
    ],
    [{ 'jaeger-version': ['v2.13.0', 'v2.13.0'] }, 'compare needs two different versions, got v2.13.0 twice'],
    [{ 'envoy-version': ['1.30.0', '1.40.0'] }, 'unknown Envoy version "1.30.0"; pinned: 1.40.0, 1.39.3'],
  ])('rejects %j, saying why', (values, message) => {
    expect(() => compareRequest(values)).toThrow(OptionError);
    expect(() => compareRequest(values)).toThrow(message);
  });
});
