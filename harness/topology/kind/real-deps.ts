import type { RunOptions } from '../../config/run-options';
import { ensureGoTool, moduleDir } from '../../tools/build-go-tool';
import { kindSpec } from '../../tools/tools';
import { loadVersions, resolveEppVersion } from '../../tools/versions';
import { clientNodeApi } from './client-node-api';
import { realKindCli } from './kind-cli';
import { KIND_TIMEOUTS, type KindDeps } from './kind-topology';
import { fetchReleaseManifest } from './release-manifests';

/** The real world for the kind topology: the pinned kind binary, Docker, client-node, release downloads. */
export function realKindDeps(opts: RunOptions, progress: (m: string) => void): KindDeps {
  const versions = loadVersions();
  let kindBinary: Promise<string> | undefined;
  // Built on first use (cached by version): `docker info` comes first and needs no kind.
  const kind = (): Promise<string> =>
    (kindBinary ??= ensureGoTool(kindSpec(versions), progress).then((paths) => Object.values(paths)[0]));
  return {
    versions,
    kind: realKindCli(kind, progress),
    connect: clientNodeApi,
    eppModuleDir: () => moduleDir(resolveEppVersion(versions, opts.eppVersion, opts.topology).pin.crds),
    releaseManifest: (r) => fetchReleaseManifest(r, progress),
    timeouts: KIND_TIMEOUTS,
  };
}
