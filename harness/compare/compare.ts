import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenarios, scenarioNames } from '../cli/run-scenarios';
import type { RunOptions } from '../config/run-options';
import { startTopology } from '../topology/start';
import type { Topology } from '../topology/types';
import { JaegerClient } from '../traces/jaeger-client';
import { parseJunit } from './junit';
import { recordProbeShapes } from './probes';
import { compareRecords, htmlReport, markdownReport, textReport, type VersionRecord } from './report';

/** Scenarios a comparison runs by default: all that exercise the EPP (the CLI's own lifecycle does not). */
export function defaultCompareScenarios(): string[] {
  return scenarioNames().filter((s) => s !== 'cli-lifecycle');
}

/** One side of a comparison: a label (the version) and the run options that make it. */
export interface Variant {
  version: string;
  opts: RunOptions;
}

/**
 * Probes, then the scenarios, on one variant. `inspect` runs on the probes' topology before it stops (the
 * operator upgrade check reads the mutated EPP pod there).
 */
export async function recordVariant(
  subject: string,
  v: Variant,
  scenarios: string[],
  outDir: string,
  progress: (m: string) => void,
  inspect?: (topology: Topology) => Promise<void>,
  /** The probes' topology options when they differ from the scenarios' (the local operator mode). */
  probeOpts: RunOptions = v.opts,
): Promise<VersionRecord> {
  progress(`${subject} ${v.version}: recording probe trace shapes`);
  const topology = await startTopology(probeOpts, progress);
  let probes;
  try {
    probes = await recordProbeShapes(
      topology,
      new JaegerClient(topology.endpoints.jaegerQuery, topology.endpoints.jaegerUi),
    );
    await inspect?.(topology);
  } finally {
    await topology.stop();
  }
  const junit = join(outDir, `junit-${v.version}.xml`);
  progress(`${subject} ${v.version}: running scenarios ${scenarios.join(', ')}`);
  await runScenarios(v.opts, scenarios, { JEST_JUNIT_OUTPUT_FILE: junit });
  return { subject, version: v.version, probes, outcomes: parseJunit(readFileSync(junit, 'utf8')) };
}

export interface CompareResult {
  text: string;
  markdownFile: string;
  htmlFile: string;
  regressed: boolean;
}

/**
 * Runs the same probes and scenarios on two variants (two EPP versions, two operator versions...), one after
 * the other, and reports what changed in their traces (shape diff) and in the scenario outcomes. `regressed`
 * is true when something that passed on the first fails on the second.
 */
export async function compareVariants(
  subject: string,
  variants: [Variant, Variant],
  scenarios: string[],
  outDir: string,
  progress: (m: string) => void,
): Promise<CompareResult> {
  mkdirSync(outDir, { recursive: true });
  const a = await recordVariant(subject, variants[0], scenarios, outDir, progress);
  const b = await recordVariant(subject, variants[1], scenarios, outDir, progress);
  const c = compareRecords(a, b);
  const stem = join(outDir, `compare-${a.version}-${b.version}`);
  writeFileSync(`${stem}.md`, markdownReport(a, b, c));
  writeFileSync(`${stem}.html`, htmlReport(a, b, c));
  writeFileSync(`${stem}.json`, JSON.stringify({ a, b, comparison: c }, null, 2));
  return { text: textReport(a, b, c), markdownFile: `${stem}.md`, htmlFile: `${stem}.html`, regressed: c.regressed };
}
