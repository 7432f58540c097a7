import { faultId, type FaultOwner, type FaultSwitch } from './types';

/** What one scenario file did in a run with a fault on: failed or not, and its failure messages. */
export interface ScenarioOutcome {
  scenario: string;
  failed: boolean;
  failures: string[];
}

/** One jest run of a fault's owning scenarios, with the fault on. */
export interface FaultRun {
  scenarios: ScenarioOutcome[];
  seconds: number;
  /** Where the run's output went. */
  log: string;
}

export interface OwnerVerdict {
  scenario: string;
  caught: boolean;
  /** Caught: the failure's first line (and the line that says it, when that is another). Missed: why. */
  message: string;
}

export interface MatrixRow {
  fault: string;
  description: string;
  owners: string[];
  caught: boolean;
  verdicts: OwnerVerdict[];
  seconds: number;
  log: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function lines(message: string): string[] {
  return message
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The first line of a jest failure message, without colours and without the `Error: ` prefix. */
export function firstLine(message: string): string {
  return (lines(message)[0] ?? '').replace(/^(\w*Error): /, '');
}

/**
 * Whether one owner caught its fault: its scenario ran, failed, and one failure message says what the owner
 * promised. A scenario that passed with the fault on, or failed for some other reason, missed it.
 */
export function judgeOwner(owner: FaultOwner, run: FaultRun): OwnerVerdict {
  const outcome = run.scenarios.find((s) => s.scenario === owner.scenario);
  const verdict = (caught: boolean, message: string): OwnerVerdict => ({ scenario: owner.scenario, caught, message });
  if (!outcome) return verdict(false, `scenario ${owner.scenario} did not run (see ${run.log})`);
  if (!outcome.failed) return verdict(false, `scenario ${owner.scenario} passed with the fault on`);
  // What the test threw, as it said it: without colours and without the `TraceAbsentError: ` jest puts before it,
  // so that an owner's `^` anchors at the message's own first word.
  const said = (m: string): string => m.replace(ANSI, '').replace(/^\s*(\w*Error): /, '');
  const hit = outcome.failures.map(said).find((m) => owner.says.test(m));
  if (!hit) {
    return verdict(
      false,
      `scenario ${owner.scenario} failed, but not saying ${owner.says}: ${firstLine(outcome.failures[0] ?? '(no message)')}`,
    );
  }
  const first = firstLine(hit);
  // What the owner promised to say, where the first line does not already say it.
  const m = owner.says.exec(hit)!;
  const from = hit.lastIndexOf('\n', m.index) + 1;
  const to = hit.indexOf('\n', m.index + m[0].length);
  const saying = lines(hit.slice(from, to < 0 ? undefined : to)).filter(
    (l) => !first.includes(l.replace(/^(\w*Error): /, '')),
  );
  return verdict(true, saying.length ? `${first} ... ${saying.join(' / ')}` : first);
}

/** A fault is caught only when every scenario that claims it catches it: a claim that does not hold is a hole. */
export function judgeFault(f: FaultSwitch, run: FaultRun): MatrixRow {
  const verdicts = f.owners.map((o) => judgeOwner(o, run));
  return {
    fault: faultId(f),
    description: f.description,
    owners: f.owners.map((o) => o.scenario),
    caught: f.owners.length > 0 && verdicts.every((v) => v.caught),
    verdicts:
      f.owners.length > 0 ? verdicts : [{ scenario: '-', caught: false, message: 'no scenario owns this fault' }],
    seconds: run.seconds,
    log: run.log,
  };
}

/** Every fault, or those asked for by `component:fault`; an unknown name is an error, not an empty matrix. */
export function selectFaults(catalog: FaultSwitch[], wanted: string[]): FaultSwitch[] {
  if (wanted.length === 0) return catalog;
  const unknown = wanted.filter((w) => !catalog.some((f) => faultId(f) === w));
  if (unknown.length) {
    throw new Error(`unknown fault ${unknown.join(', ')}; faults: ${catalog.map((f) => faultId(f)).join(', ')}`);
  }
  return catalog.filter((f) => wanted.includes(faultId(f)));
}

/** The scenario files a catalog's owners name that do not exist: an owner must be a real scenario. */
export function unknownOwners(catalog: FaultSwitch[], scenarios: string[]): string[] {
  return catalog.flatMap((f) =>
    f.owners.filter((o) => !scenarios.includes(o.scenario)).map((o) => `${faultId(f)} -> ${o.scenario}`),
  );
}

export function missed(rows: MatrixRow[]): MatrixRow[] {
  return rows.filter((r) => !r.caught);
}

function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}

/** The table `epp-e2e faults` prints: one line per owner, the fault's columns on its first line. */
export function renderMatrixText(rows: MatrixRow[]): string {
  const cells = [['FAULT', 'OWNER(S)', 'RESULT', 'SECONDS', 'FIRST LINE OF THE FAILURE']];
  for (const r of rows) {
    r.verdicts.forEach((v, i) =>
      cells.push(
        i === 0
          ? [
              r.fault,
              r.owners.join(', ') || '-',
              r.caught ? 'caught' : 'MISSED',
              r.seconds.toFixed(1),
              `${v.scenario}: ${v.message}`,
            ]
          : ['', '', '', '', `${v.scenario}: ${v.message}`],
      ),
    );
  }
  const out = pad(cells);
  const bad = missed(rows);
  out.push(
    '',
    bad.length === 0
      ? `all ${rows.length} fault switches caught`
      : `${bad.length} of ${rows.length} fault switches MISSED: ${bad.map((r) => r.fault).join(', ')}`,
  );
  return out.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMatrixMarkdown(rows: MatrixRow[]): string {
  const out = [
    '# Fault matrix',
    '',
    '| fault | owner(s) | result | seconds | first line of the failure |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const messages = r.verdicts.map((v) => `${v.scenario}: ${v.message}`).join('<br>');
    out.push(
      `| \`${r.fault}\` | ${r.owners.join(', ') || '-'} | ${r.caught ? 'caught' : '**MISSED**'} | ${r.seconds.toFixed(1)} | ${cell(messages)} |`,
    );
  }
  const bad = missed(rows);
  out.push(
    '',
    bad.length === 0 ? `All ${rows.length} fault switches caught.` : `MISSED: ${bad.map((r) => r.fault).join(', ')}`,
  );
  return out.join('\n') + '\n';
}
