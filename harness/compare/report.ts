import { diffShapes } from '../traces/shape';
import type { Outcome } from './junit';
import type { ProbeShape } from './probes';

export interface VersionRecord {
  /** What was compared, e.g. `EPP` or `OpenTelemetry Operator`. */
  subject?: string;
  version: string;
  probes: ProbeShape[];
  outcomes: Record<string, Outcome>;
}

export interface Comparison {
  shapeDiffs: { label: string; lines: string[] }[];
  outcomeChanges: { test: string; from: Outcome | 'absent'; to: Outcome | 'absent' }[];
  regressed: boolean;
}

export function compareRecords(a: VersionRecord, b: VersionRecord): Comparison {
  const labels = [...new Set([...a.probes, ...b.probes].map((p) => p.label))];
  const shapeDiffs = labels.map((label) => {
    const pa = a.probes.find((p) => p.label === label);
    const pb = b.probes.find((p) => p.label === label);
    if (!pa) return { label, lines: [`+ probe trace only in ${b.version}`] };
    if (!pb) return { label, lines: [`- probe trace only in ${a.version}`] };
    return { label, lines: diffShapes(pa.shape, pb.shape) };
  });
  const tests = [...new Set([...Object.keys(a.outcomes), ...Object.keys(b.outcomes)])].sort();
  const outcomeChanges = tests
    .map((test) => ({
      test,
      from: a.outcomes[test] ?? ('absent' as const),
      to: b.outcomes[test] ?? ('absent' as const),
    }))
    .filter((c) => c.from !== c.to);
  // A regression: something that passed on the first version fails, or no longer runs, on the second.
  const regressed = outcomeChanges.some((c) => c.from === 'passed' && (c.to === 'failed' || c.to === 'skipped'));
  return { shapeDiffs, outcomeChanges, regressed };
}

export function textReport(a: VersionRecord, b: VersionRecord, c: Comparison): string {
  const lines = [`compare ${a.subject ?? 'EPP'} ${a.version} -> ${b.version}`, ''];
  for (const d of c.shapeDiffs) {
    lines.push(`trace shape: ${d.label}: ${d.lines.length ? '' : 'same'}`);
    for (const l of d.lines) lines.push(`  ${l}`);
  }
  lines.push('', `scenario outcomes: ${c.outcomeChanges.length ? '' : 'unchanged'}`);
  for (const o of c.outcomeChanges)
    lines.push(
      `  ${o.from === 'passed' && o.to === 'failed' ? 'REGRESSED' : 'changed'}: ${o.test}: ${o.from} -> ${o.to}`,
    );
  const count = (r: VersionRecord, o: Outcome): number => Object.values(r.outcomes).filter((x) => x === o).length;
  lines.push(
    `  ${a.version}: ${count(a, 'passed')} passed, ${count(a, 'failed')} failed; ${b.version}: ${count(b, 'passed')} passed, ${count(b, 'failed')} failed`,
  );
  lines.push('', c.regressed ? 'RESULT: regression' : 'RESULT: no scenario regressed');
  return lines.join('\n');
}

/** Markdown with the two trees of each probe side by side, for a CI job summary or a PR comment. */
export function markdownReport(a: VersionRecord, b: VersionRecord, c: Comparison): string {
  const md = [`# ${a.subject ?? 'EPP'} ${a.version} vs ${b.version}`, ''];
  for (const d of c.shapeDiffs) {
    md.push(`## ${d.label}`, '', d.lines.length ? d.lines.map((l) => `- \`${l}\``).join('\n') : 'Same shape.', '');
    const ta = a.probes.find((p) => p.label === d.label)?.tree ?? '(none)';
    const tb = b.probes.find((p) => p.label === d.label)?.tree ?? '(none)';
    const cell = (t: string): string =>
      `<pre>${t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</pre>`;
    md.push(`| ${a.version} | ${b.version} |`, '|---|---|', `| ${cell(ta)} | ${cell(tb)} |`, '');
  }
  md.push('## Scenario outcomes', '');
  if (c.outcomeChanges.length === 0) md.push('Unchanged.');
  for (const o of c.outcomeChanges)
    md.push(
      `- ${o.from === 'passed' && o.to === 'failed' ? '**regressed**' : 'changed'}: ${o.test}: ${o.from} → ${o.to}`,
    );
  return md.join('\n') + '\n';
}

const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A self-contained HTML page: per probe, the shape diff and the two trace trees in columns. */
export function htmlReport(a: VersionRecord, b: VersionRecord, c: Comparison): string {
  const title = `${a.subject ?? 'EPP'} ${a.version} vs ${b.version}`;
  const body: string[] = [
    `<h1>${esc(title)}</h1>`,
    `<p class="${c.regressed ? 'bad' : 'good'}">${c.regressed ? 'Regression' : 'No scenario regressed'}</p>`,
  ];
  for (const d of c.shapeDiffs) {
    const ta = a.probes.find((p) => p.label === d.label)?.tree ?? '(none)';
    const tb = b.probes.find((p) => p.label === d.label)?.tree ?? '(none)';
    body.push(
      `<h2>${esc(d.label)}</h2>`,
      d.lines.length
        ? `<ul>${d.lines.map((l) => `<li><code>${esc(l)}</code></li>`).join('')}</ul>`
        : '<p>Same shape.</p>',
      `<table><tr><th>${esc(a.version)}</th><th>${esc(b.version)}</th></tr>`,
      `<tr><td><pre>${esc(ta)}</pre></td><td><pre>${esc(tb)}</pre></td></tr></table>`,
    );
  }
  body.push('<h2>Scenario outcomes</h2>');
  if (c.outcomeChanges.length === 0) body.push('<p>Unchanged.</p>');
  else
    body.push(
      `<ul>${c.outcomeChanges
        .map(
          (o) =>
            `<li class="${o.from === 'passed' && o.to === 'failed' ? 'bad' : ''}">${esc(o.test)}: ${o.from} &rarr; ${o.to}</li>`,
        )
        .join('')}</ul>`,
    );
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;vertical-align:top;padding:.5em;width:50%}pre{font-size:12px;white-space:pre-wrap}.bad{color:#b00;font-weight:bold}.good{color:#070}</style>
</head><body>
${body.join('\n')}
</body></html>
`;
}
