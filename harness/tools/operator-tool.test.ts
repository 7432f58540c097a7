import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  goAutoVersionOf,
  operatorGoImage,
  operatorSpec,
  operatorVersions,
  parseOperatorVersionsTxt,
} from './operator-tool';
import { loadVersions } from './versions';

describe('operator tool', () => {
  it('builds both pinned releases from the module root', () => {
    const v = loadVersions();
    expect(operatorVersions(v)).toEqual([v.kind.operator.default, v.kind.operator.previous]);
    expect(operatorSpec(v, 'v0.148.0').pins).toEqual([
      {
        module: 'github.com/open-telemetry/opentelemetry-operator',
        version: 'v0.148.0',
        package: 'github.com/open-telemetry/opentelemetry-operator',
        binary: 'manager',
      },
    ]);
  });

  it("reads the Go image version from the module's versions.txt", () => {
    const text =
      '# comment\noperator=0.148.0\n# Represents the current release of Go instrumentation.\nautoinstrumentation-go=v0.23.0\n';
    expect(parseOperatorVersionsTxt(text)['autoinstrumentation-go']).toBe('v0.23.0');
    const dir = mkdtempSync(join(tmpdir(), 'op-'));
    writeFileSync(join(dir, 'versions.txt'), text);
    expect(goAutoVersionOf(dir)).toBe('v0.23.0');
    expect(operatorGoImage(loadVersions(), dir)).toBe(
      'ghcr.io/open-telemetry/opentelemetry-go-instrumentation/autoinstrumentation-go:v0.23.0',
    );
    writeFileSync(join(dir, 'versions.txt'), 'operator=1\n');
    expect(() => goAutoVersionOf(dir)).toThrow(`${join(dir, 'versions.txt')} names no autoinstrumentation-go version`);
  });
});
