// Every object the kind topology applies, pinned whole for a few run options: a change to a component's
// declaration, a template or the renderer shows up here as a snapshot diff to review (`jest -u` accepts it).
// Envoy's bootstrap is left out: its routes change on their own, and render.test.ts and manifests.test.ts pin it.
import { resolveRunOptions, type RunOptions } from '../../config/run-options';
import { loadVersions } from '../../tools/versions';
import { renderKindManifests } from './manifests';

const versions = loadVersions();

function rendered(opts: RunOptions): unknown {
  return renderKindManifests(opts, versions).map((step) => ({
    ...step,
    objects: step.objects.map((o) =>
      o.kind === 'ConfigMap' && o.metadata.name === 'envoy-bootstrap'
        ? { ...o, data: { 'envoy.yaml': '(Envoy bootstrap: see render.test.ts)' } }
        : o,
    ),
  }));
}

describe('kind manifests, whole', () => {
  it.each([
    ['the defaults', {}],
    ['three models, sampled at 25%', { models: 3, eppSamplerArg: '0.25' }],
    ['the negative control without a target binary', { goTargetExe: false }],
    [
      'fault switches of every component',
      { faults: ['mock-vllm:drop-traceparent', 'envoy:no-tracing', 'epp:wrong-exporter'] },
    ],
  ])('%s', (_, raw) => {
    expect(rendered(resolveRunOptions({ topology: 'kind', ...raw }, {}, versions))).toMatchSnapshot();
  });
});
