import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenarios, scenarioNames } from '../cli/run-scenarios';
import type { RunOptions } from '../config/run-options';
import { startTopology } from '../topology/start';
import { JaegerClient } from '../traces/jaeger-client';
import { parseJunit } from './junit';
import { recordProbeShapes } from './probes';
import { compareRecords, markdownReport, textReport, type VersionRecord } from './report';

/** Scenarios a comparison runs by default: all that exercise the EPP (the CLI's own lifecycle does not). */
export function defaultCompareScenarios(): string[] {
  return scenarioNames().filter((s) => s !== 'cli-lifecycle');
}

async function recordVersion(
  base: RunOptions,
  version: string,
  scenarios: string[],
  outDir: string,
  progress: (m: string) => void,
): Promise<VersionRecord> {
  const opts = { ...base, eppVersion: version };
  progress(`EPP ${version}: recording probe trace shapes`);
  const topology = await startTopology(opts, progress);
  let probes;
  try {
    probes = await recordProbeShapes(
      topology,
      new JaegerClient(topology.endpoints.jaegerQuery, topology.endpoints.jaegerUi),
    );
  } finally {
    await topology.stop();
  }
  const junit = join(outDir, `junit-${version}.xml`);
  progress(`EPP ${version}: running scenarios ${scenarios.join(', ')}`);
  await runScenarios(opts, scenarios, { JEST_JUNIT_OUTPUT_FILE: junit });
  return { version, probes, outcomes: parseJunit(readFileSync(junit, 'utf8')) };
}

/**
 * Runs the same probes and scenarios on two EPP versions, one after the other, and reports what changed in
 * their traces (shape diff) and in the scenario outcomes. `regressed` is true when something that passed on
 * the first version fails on the second.
 */
export async function compareEppVersions(
  base: RunOptions,
  versions: [string, string],
  scenarios: string[],
  outDir: string,
  progress: (m: string) => void,
): Promise<{ text: string; markdownFile: string; regressed: boolean }> {
  mkdirSync(outDir, { recursive: true });
  const a = await recordVersion(base, versions[0], scenarios, outDir, progress);
  const b = await recordVersion(base, versions[1], scenarios, outDir, progress);
  const c = compareRecords(a, b);
  const markdownFile = join(outDir, `compare-${a.version}-${b.version}.md`);
  writeFileSync(markdownFile, markdownReport(a, b, c));
  writeFileSync(
    join(outDir, `compare-${a.version}-${b.version}.json`),
    JSON.stringify({ a, b, comparison: c }, null, 2),
  );
  return { text: textReport(a, b, c), markdownFile, regressed: c.regressed };
}
