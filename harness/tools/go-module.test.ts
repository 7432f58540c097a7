import { parseReplaces, renderToolsGo, renderToolsGoMod, rewriteReplaceTarget } from './go-module';

const jaeger = { module: 'github.com/jaegertracing/jaeger', version: 'v1.76.0', package: 'x/cmd/jaeger', binary: 'j' };
const k8s = {
  module: 'k8s.io/kubernetes',
  version: 'v1.34.1',
  package: 'k8s.io/kubernetes/cmd/kube-apiserver',
  binary: 'k',
};

describe('tools module rendering', () => {
  it('reads single and block replace directives, ignoring comments', () => {
    const mod = [
      'module x',
      'replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0 // pinned',
      'replace (',
      '\tk8s.io/api => ./staging/src/k8s.io/api',
      '\tfoo v1.0.0 => bar v1.1.0',
      ')',
    ].join('\n');
    expect(parseReplaces(mod)).toEqual([
      { from: 'k8s.io/api', to: './staging/src/k8s.io/api' },
      { from: 'foo v1.0.0', to: 'bar v1.1.0' },
      { from: 'github.com/Shopify/sarama', to: 'github.com/Shopify/sarama v1.33.0' },
    ]);
  });

  it('maps Kubernetes staging paths to the published v0.minor.patch modules', () => {
    expect(rewriteReplaceTarget('k8s.io/api', './staging/src/k8s.io/api', k8s)).toBe('k8s.io/api v0.34.1');
  });

  it('refuses a local replace it cannot reproduce, naming the module', () => {
    expect(() => rewriteReplaceTarget('a', '../a', jaeger)).toThrow(
      /github.com\/jaegertracing\/jaeger@v1.76.0: its go.mod replaces a with the local path \.\.\/a/,
    );
  });

  it('renders a go.mod that requires every pin and restates replaces', () => {
    const text = renderToolsGoMod(
      'jaeger',
      [jaeger],
      ['replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0'],
    );
    expect(text).toBe(
      [
        'module epp-otel-e2e/tools/jaeger',
        '',
        'go 1.24.6',
        '',
        'require (',
        '\tgithub.com/jaegertracing/jaeger v1.76.0',
        ')',
        '',
        'replace (',
        '\tgithub.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0',
        ')',
        '',
      ].join('\n'),
    );
    expect(renderToolsGo([jaeger])).toContain('_ "x/cmd/jaeger"');
  });
});
