import { dropLocalSdkReplace, goAutoAgentStamp, renderAgentGoMod } from './go-auto-agent-tool';
import { loadVersions } from './versions';

describe('Go auto-instrumentation agent build', () => {
  const pin = loadVersions().goAutoAgent;

  it("drops only the module's local sdk replace", () => {
    const goMod = 'module go.opentelemetry.io/auto\n\nrequire x v1\n\nreplace go.opentelemetry.io/auto/sdk => ./sdk\n';
    expect(dropLocalSdkReplace(goMod)).toBe('module go.opentelemetry.io/auto\n\nrequire x v1\n\n');
    expect(dropLocalSdkReplace('module m\n')).toBe('module m\n');
  });

  it('builds our main against the generated copy', () => {
    expect(renderAgentGoMod(pin)).toBe(
      `module epp-otel-e2e/tools/go-auto-agent\n\ngo 1.24.6\n\nrequire go.opentelemetry.io/auto ${pin.version}\n\nreplace go.opentelemetry.io/auto => ../auto\n`,
    );
  });

  it('rebuilds when our main changes', () => {
    expect(goAutoAgentStamp(pin, 'a')).not.toBe(goAutoAgentStamp(pin, 'b'));
    expect(goAutoAgentStamp(pin, 'a')).toBe(goAutoAgentStamp(pin, 'a'));
  });
});
