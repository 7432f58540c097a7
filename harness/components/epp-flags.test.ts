import { loadVersions } from '../tools/versions';
import { eppArgs } from './epp';
import { EPP_FLAGS, flagNames } from './epp-flags';

describe('EPP flags per pinned release', () => {
  const versions = loadVersions();
  // What the harness passes: eppArgs on both topologies, plus --config-file for the llm-d plugin configurations.
  const passed = [...flagNames(eppArgs({ grpc: 1, health: 2, metrics: 3 })), 'config-file'];

  it('has a flag list for every pinned EPP', () => {
    expect(Object.keys(EPP_FLAGS).sort()).toEqual(Object.keys(versions.epp.versions).sort());
  });

  it.each(Object.keys(versions.epp.versions))('%s registers every flag the harness passes', (name) => {
    const list = EPP_FLAGS[name];
    const missing = passed.filter((f) => !list.flags[f]);
    expect({ version: name, source: list.source, missing }).toEqual({
      version: name,
      source: list.source,
      missing: [],
    });
  });

  it('negative control: a flag a release lacks is named', () => {
    const list = EPP_FLAGS['llm-d-router-v0.9.0'];
    // --allow-experimental-plugins came in v0.10.0 (pkg/epp/server/options.go:239 there; unknown flag in v0.9.0).
    const missing = [...passed, 'allow-experimental-plugins'].filter((f) => !list.flags[f]);
    expect(missing).toEqual(['allow-experimental-plugins']);
  });

  it('reads flag names from an argument list', () => {
    expect(flagNames(['--pool-name=p', '-v', '--v=2', 'value'])).toEqual(['pool-name', 'v', 'v']);
  });
});
