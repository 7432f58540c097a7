import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../config/run-options';
import { OptionError } from '../config/run-options';
import { faultCatalog } from '../faults/catalog';
import { missed, renderMatrixText, selectFaults, unknownOwners } from '../faults/matrix';
import { updateReadme } from '../faults/readme-table';
import { runFaultMatrix, writeMatrixReports } from '../faults/run-matrix';
import { ensureKvEventsEpp, ensureLocalTools } from '../tools/tools';
import { loadVersions, REPO_ROOT, selectPins } from '../tools/versions';
import { scenarioNames } from './run-scenarios';

/**
 * `epp-e2e faults`: every fault switch (or those given with --fault) on in turn, against the scenarios that own
 * it; prints the matrix, writes reports/faults.{json,md}, and exits 1 when a switch was missed.
 * `--update-readme` rewrites the README's fault table from the catalog instead.
 */
export async function faultsCommand(
  opts: RunOptions,
  wanted: string[],
  flags: { updateReadme: boolean },
  progress: (m: string) => void,
): Promise<number> {
  const catalog = faultCatalog();
  const readmeFile = join(REPO_ROOT, 'README.md');
  if (flags.updateReadme) {
    writeFileSync(readmeFile, updateReadme(readFileSync(readmeFile, 'utf8'), catalog));
    process.stdout.write(`README.md: fault table written (${catalog.length} switches)\n`);
    return 0;
  }
  const bad = unknownOwners(catalog, scenarioNames());
  if (bad.length) throw new Error(`fault owners name scenarios that do not exist: ${bad.join(', ')}`);
  let faults;
  try {
    faults = selectFaults(catalog, wanted);
  } catch (err) {
    throw new OptionError((err as Error).message);
  }
  if (opts.topology === 'local') {
    const v = selectPins(loadVersions(), opts);
    await ensureLocalTools(v, opts.eppVersion, progress);
    if (faults.some((f) => f.owners.some((o) => o.scenario === 'kv-events'))) await ensureKvEventsEpp(v, progress);
  }
  const reportsDir = join(REPO_ROOT, 'reports');
  const rows = await runFaultMatrix(opts, faults, join(reportsDir, 'faults'), progress);
  const files = writeMatrixReports(rows, reportsDir);
  process.stdout.write(`${renderMatrixText(rows)}\n\nreports: ${files.markdown}\n         ${files.json}\n`);
  return missed(rows).length === 0 ? 0 : 1;
}
