import type { RunOptions } from '../../config/run-options';
import { ensureGoTool, moduleDir } from '../../tools/build-go-tool';
import { kindSpec } from '../../tools/tools';
import { loadVersions, resolveEppVersion } from '../../tools/versions';
import { clientNodeApi } from './client-node-api';
import { realKindCli } from './kind-cli';
import { KIND_TIMEOUTS, type KindDeps } from './kind-topology';
import { fetchReleaseManifest } from './release-manifests';

/** The real world for the kind topology: the pinned kind binary, Docker, client-node, release downloads. */
export async function realKindDeps(opts: RunOptions, progress: (m: string) => void): Promise<KindDeps> {
  const versions = loadVersions();
  const kindBinary = Object.values(await ensureGoTool(kindSpec(versions), progress))[0];
  return {
    versions,
    kind: realKindCli(kindBinary, progress),
    connect: clientNodeApi,
    eppModuleDir: () => moduleDir(resolveEppVersion(versions, opts.eppVersion).pin),
    releaseManifest: (r) => fetchReleaseManifest(r, progress),
    timeouts: KIND_TIMEOUTS,
  };
}
