import type { GoToolPin } from './versions';

/**
 * Renders the go.mod of the small tools module we build a pinned Go binary from.
 *
 * `go install pkg@version` is not usable here for two reasons: the module proxy refuses the `@v/list`
 * look-up that `go install` makes for deprecation notices, and some modules (Jaeger, Kubernetes) carry
 * replace directives that `go install` rejects. A tools module that requires the exact version and restates
 * those replace directives builds the same program.
 */
export function renderToolsGoMod(name: string, pins: GoToolPin[], upstreamGoMods: string[]): string {
  const lines = [`module epp-otel-e2e/tools/${name}`, '', 'go 1.24.6', '', 'require ('];
  for (const pin of pins) lines.push(`\t${pin.module} ${pin.version}`);
  lines.push(')');
  const replaces = new Map<string, string>();
  pins.forEach((pin, i) => {
    for (const r of parseReplaces(upstreamGoMods[i] ?? '')) {
      const target = rewriteReplaceTarget(r.from, r.to, pin);
      if (target && !replaces.has(r.from)) replaces.set(r.from, target);
    }
  });
  if (replaces.size > 0) {
    lines.push('', 'replace (');
    for (const [from, to] of [...replaces.entries()].sort()) lines.push(`\t${from} => ${to}`);
    lines.push(')');
  }
  return lines.join('\n') + '\n';
}

/** The `tools.go` that keeps the packages in the module's import graph. */
export function renderToolsGo(pins: GoToolPin[]): string {
  const imports = pins.map((p) => `\t_ "${p.package}"`).join('\n');
  return `//go:build tools\n\npackage tools\n\nimport (\n${imports}\n)\n`;
}

interface Replace {
  from: string;
  to: string;
}

/** Reads both `replace a => b v` and `replace ( ... )` forms; version-qualified left sides are kept whole. */
export function parseReplaces(goMod: string): Replace[] {
  const out: Replace[] = [];
  const stripped = goMod.replace(/\/\/.*$/gm, '');
  const add = (line: string): void => {
    const m = /^\s*(\S+(?:\s+v\S+)?)\s*=>\s*(.+?)\s*$/.exec(line);
    if (m) out.push({ from: m[1].trim(), to: m[2].trim() });
  };
  for (const block of stripped.matchAll(/^replace\s*\(([\s\S]*?)^\)/gm)) block[1].split('\n').forEach(add);
  for (const single of stripped.matchAll(/^replace\s+([^(\n].*)$/gm)) add(single[1]);
  return out;
}

/**
 * A replace that points at a module version is copied as is. A local path only means something inside the
 * upstream repository; Kubernetes' `./staging/src/k8s.io/X` is published as module k8s.io/X at v0.<minor>.<patch>
 * of the v1.<minor>.<patch> release, so it is rewritten to that. Other local paths cannot be reproduced.
 */
export function rewriteReplaceTarget(from: string, to: string, pin: GoToolPin): string | undefined {
  if (!to.startsWith('.') && !to.startsWith('/')) return to;
  const staging = /^\.\/staging\/src\/(\S+)$/.exec(to);
  const k8s = /^v1\.(\d+\.\d+.*)$/.exec(pin.version);
  if (staging && k8s && pin.module === 'k8s.io/kubernetes') return `${staging[1]} v0.${k8s[1]}`;
  throw new Error(
    `cannot build ${pin.module}@${pin.version}: its go.mod replaces ${from} with the local path ${to}, ` +
      `which only exists inside that repository`,
  );
}
