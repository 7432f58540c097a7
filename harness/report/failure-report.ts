import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { deathReport } from '../runtime/deaths';
import type { Topology } from '../topology/types';

export interface CollectedTrace {
  label: string;
  /** The raw trace as it came from Jaeger, kept whole for later reading. */
  raw: unknown;
  /** The trace as an indented tree, for the failure message. */
  tree?: string;
  jaegerLink?: string;
}

/** What a scenario hands to the report while it works, so a failure can show it. */
export class Evidence {
  readonly traces: CollectedTrace[] = [];
  readonly notes: string[] = [];

  trace(t: CollectedTrace): void {
    this.traces.push(t);
  }

  note(line: string): void {
    this.notes.push(line);
  }
}

/** Components whose log tails go into the message itself; every log is in the artifacts folder anyway. */
const TAIL_COMPONENTS = /^(epp|epp-opentelemetry-auto-instrumentation|envoy|mock-vllm[-\w]*)$/;
const TAIL_LINES = 6;

function slug(text: string): string {
  return (
    text
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'scenario'
  );
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Writes the artifacts of a failed scenario and returns the folder. */
export function writeFailureArtifacts(
  dir: string,
  error: Error,
  evidence: Evidence,
  logs: Record<string, string>,
): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'error.txt'), `${error.stack ?? error.message}\n`);
  evidence.traces.forEach((t, i) => {
    // Span times are BigInt nanoseconds, which JSON cannot hold as numbers.
    const json = JSON.stringify(t.raw, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
    writeFileSync(join(dir, `trace-${i + 1}-${slug(t.label)}.json`), json);
  });
  const trees = evidence.traces.map(
    (t) => `## ${t.label}\n${t.jaegerLink ? `${t.jaegerLink}\n` : ''}${t.tree ?? '(no tree)'}`,
  );
  writeFileSync(join(dir, 'trees.txt'), trees.join('\n\n') + '\n');
  if (evidence.notes.length) writeFileSync(join(dir, 'notes.txt'), evidence.notes.join('\n') + '\n');
  // Copies, not links: the run directory of a later run may reuse nothing, but logs keep growing after this.
  for (const [, file] of Object.entries(logs))
    if (existsSync(file)) copyFileSync(file, join(dir, 'logs', basename(file)));
  return dir;
}

/** The part of the failure message that says where to look next. */
export function failureFooter(dir: string, evidence: Evidence, logs: Record<string, string>): string {
  const lines = ['', `artifacts: ${dir}`];
  for (const t of evidence.traces) if (t.jaegerLink) lines.push(`jaeger: ${t.label}: ${t.jaegerLink}`);
  for (const [name, file] of Object.entries(logs).filter(([n]) => TAIL_COMPONENTS.test(n))) {
    lines.push(`--- ${name} (last ${TAIL_LINES} lines of ${file})`, tail(file, TAIL_LINES));
  }
  return lines.join('\n');
}

/**
 * Writes the artifacts of a failed test (its evidence, the run's component logs) into `<run>/failures/<name>/` and
 * appends the Jaeger links, that folder and short log tails to the error's message and stack. Called by the e2e
 * jest environment for every failing test; it never throws (a report that fails must not hide the failure).
 */
export async function attachFailureReport(
  name: string,
  topology: Topology,
  evidence: Evidence | undefined,
  error: Error,
): Promise<void> {
  try {
    const ev = evidence ?? new Evidence();
    const logs = await topology.collectLogs().catch((e: Error) => ({ 'log collection': `failed: ${e.message}` }));
    const dir = writeFailureArtifacts(join(topology.endpoints.runDir, 'failures', slug(name)), error, ev, logs);
    const original = error.message;
    // Whatever the check said, a component that died is the cause to read first.
    const dead = deathReport(topology.endpoints.runDir);
    if (dead && !original.includes(dead.split('\n')[0])) error.message = `${dead.split('\n')[0]}\n${error.message}`;
    error.message += failureFooter(dir, ev, logs);
    // Test runners print the stack, whose first lines are the message as it was when the error was made.
    if (error.stack?.includes(original)) error.stack = error.stack.replace(original, error.message);
    else if (error.stack) error.stack = `${error.message}\n${error.stack}`;
  } catch (err) {
    error.message += `\n(the failure report could not be written: ${(err as Error).message})`;
  }
}
