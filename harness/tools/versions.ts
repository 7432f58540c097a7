import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

/** A binary built from one Go module at one version. */
export interface GoToolPin {
  module: string;
  version: string;
  package: string;
  binary: string;
}

/**
 * One EPP release. `build` is its Go module build when the module proxy serves it (the GIE EPPs); the llm-d EPPs
 * are image-only here (kind), and run on local only as a binary someone built (--epp-binary).
 */
export interface EppPin {
  /** The release, e.g. v1.5.0. */
  version: string;
  build?: GoToolPin;
  /** Where an image-only release comes from (module@commit), for people; nothing is fetched from it. */
  source?: string;
  defaultServiceName: string;
  /** Its span contract's name (harness/traces/contracts). */
  contract: string;
  /** The Go module whose config/crd/bases holds the InferencePool CRD this EPP reads. */
  crds: ModulePin;
  /** The same release as a container image (kind topology) and the path of its binary in that image. */
  image: string;
  imageBinary: string;
}

export interface KindPins extends GoToolPin {
  nodeImage: string;
  clusterName: string;
  mockVllmImage: string;
  certManager: { version: string; manifest: string };
  operator: { default: string; previous: string; manifest: string; latestManifest: string };
}

/** A Go module at one version, when only its source is needed (no binary is built from it). */
export interface ModulePin {
  module: string;
  version: string;
}

/** The KV-events EPP (llm-d-inference-scheduler): a cgo build with native prerequisites (see versions.yaml). */
export interface KvEventsEppPin extends GoToolPin {
  /** Its Python chat-template module is imported from this module's source at run time. */
  kvCacheManager: ModulePin;
  /** The Go module whose Rust source builds libtokenizers.a. */
  tokenizers: ModulePin;
  /** What provides libzmq and pkg-config on Debian/Ubuntu (versions.yaml debianPackages.kvEventsEpp). */
  debianPackages: string[];
}

/** The operator's manager built from its module root; the versions are kind.operator.default and .previous. */
export interface OperatorManagerPin {
  module: string;
  package: string;
  binary: string;
  /** The Go auto-instrumentation image repository (a plain build tags the default images 0.0.0). */
  goImage: string;
}

/** The Go auto-instrumentation library, built with our own main (harness/go-auto-agent). */
export interface GoAutoAgentPin extends ModulePin {
  binary: string;
  /** What provides clang, llvm-strip and the libbpf headers its `go generate` needs, on Debian/Ubuntu. */
  debianPackages: string[];
}

export interface Versions {
  operatorManager: OperatorManagerPin;
  goAutoAgent: GoAutoAgentPin;
  /** `default` for local (built from the module proxy), `kindDefault` for kind (an image). */
  epp: { default: string; kindDefault: string; versions: Record<string, EppPin> };
  kvEventsEpp: KvEventsEppPin;
  jaeger: GoToolPin & {
    release: string;
    image: string;
    alternatives: Record<string, { version: string; image: string }>;
  };
  envoy: { pypi: string; version: string; image: string; alternatives: Record<string, { image: string }> };
  controlPlane: { kubernetes: GoToolPin; etcd: GoToolPin };
  kind: KindPins;
  ghz: GoToolPin;
  /** Native Debian packages keyed by what needs them; `epp-e2e packages` installs the missing ones. */
  debianPackages: Record<string, string[]>;
}

export const REPO_ROOT = join(__dirname, '..', '..');

/** A problem in versions.yaml, at a dotted key path; parseVersions adds the file name and line. */
export class VersionsError extends Error {
  override name = 'VersionsError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function need<T>(value: T | undefined | null, path: string): T {
  if (value === undefined || value === null || value === '') {
    throw new VersionsError(path, `missing ${path}`);
  }
  return value;
}

function modulePin(raw: Record<string, unknown> | undefined, path: string): ModulePin {
  const r = need(raw, path);
  const pin = {
    module: need(r.module as string, `${path}.module`),
    version: need(r.version as string, `${path}.version`),
  };
  if (!/^v\d+\.\d+\.\d+/.test(pin.version)) {
    throw new VersionsError(`${path}.version`, `${path}.version "${pin.version}" is not a module version like v1.2.3`);
  }
  return pin;
}

function goPin(raw: Record<string, unknown> | undefined, path: string): GoToolPin {
  const r = need(raw, path);
  return {
    ...modulePin(r, path),
    package: need(r.package as string, `${path}.package`),
    binary: need(r.binary as string, `${path}.binary`),
  };
}

function operatorManagerPin(raw: Record<string, unknown> | undefined, path: string): OperatorManagerPin {
  const r = need(raw, path);
  return {
    module: need(r.module as string, `${path}.module`),
    package: need(r.package as string, `${path}.package`),
    binary: need(r.binary as string, `${path}.binary`),
    goImage: need(r.goImage as string, `${path}.goImage`),
  };
}

function goAutoAgentPin(
  raw: Record<string, unknown> | undefined,
  path: string,
  packages: Record<string, string[]>,
): GoAutoAgentPin {
  const r = need(raw, path);
  return {
    ...modulePin(r, path),
    binary: need(r.binary as string, `${path}.binary`),
    debianPackages: need(packages.goAutoAgent, 'debianPackages.goAutoAgent'),
  };
}

/** Every list of debianPackages: non-empty lists of plain package names (they end up on an apt-get command line). */
function debianPackages(raw: unknown): Record<string, string[]> {
  const groups = need(raw as Record<string, unknown> | undefined, 'debianPackages');
  const out: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(groups)) {
    const path = `debianPackages.${key}`;
    if (!Array.isArray(list) || list.length === 0 || !list.every((p) => /^[a-z0-9][a-z0-9.+-]+$/.test(String(p)))) {
      throw new VersionsError(path, `${path} must be a non-empty list of Debian package names`);
    }
    out[key] = list as string[];
  }
  return out;
}

function kvEventsEppPin(
  raw: Record<string, unknown> | undefined,
  path: string,
  packages: Record<string, string[]>,
): KvEventsEppPin {
  const r = need(raw, path);
  return {
    ...goPin(r, path),
    kvCacheManager: modulePin(r.kvCacheManager as Record<string, unknown> | undefined, `${path}.kvCacheManager`),
    tokenizers: modulePin(r.tokenizers as Record<string, unknown> | undefined, `${path}.tokenizers`),
    debianPackages: need(packages.kvEventsEpp, 'debianPackages.kvEventsEpp'),
  };
}

/**
 * Parses and validates versions.yaml text; every pin the harness uses comes through here. Every error names the
 * file and the line: of the YAML syntax error, or of the key that is wrong (or of its parent, when it is missing).
 */
export function parseVersions(text: string, file = 'versions.yaml'): Versions {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lines });
  const syntax = parsed.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    throw new Error(`${file}${at ? `:${at.line}:${at.col}` : ''}: ${syntax.message.split('\n')[0]}`);
  }
  try {
    return validate(parsed.toJS());
  } catch (err) {
    if (!(err instanceof VersionsError)) throw err;
    throw new Error(`${file}:${lineOf(parsed, lines, err.path)}: ${err.message}`);
  }
}

/** The line of the deepest key on a dotted path that exists (for a missing key, its parent's line). */
function lineOf(doc: Document, lines: LineCounter, path: string): number {
  let line = 1;
  let node: unknown = doc.contents;
  for (const key of path.split('.')) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (!pair || !isScalar(pair.key) || !pair.key.range) break;
    line = lines.linePos(pair.key.range[0]).line;
    node = pair.value;
  }
  return line;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function validate(doc: any): Versions {
  const eppRaw = need(doc?.epp, 'epp');
  const versions: Record<string, EppPin> = {};
  for (const [name, raw] of Object.entries(need(eppRaw.versions, 'epp.versions') as Record<string, never>)) {
    const r = raw as Record<string, unknown>;
    const path = `epp.versions.${name}`;
    // A module build only where one is pinned (module given); otherwise the release is image-only.
    const build = r.module !== undefined ? goPin(r, path) : undefined;
    const version = build?.version ?? need(r.version as string, `${path}.version`);
    versions[name] = {
      version,
      ...(build ? { build } : { source: need(r.source as string, `${path}.source`) }),
      defaultServiceName: need(r.defaultServiceName as string, `${path}.defaultServiceName`),
      contract: need(r.contract as string, `${path}.contract`),
      crds: modulePin(r.crds as Record<string, unknown> | undefined, `${path}.crds`),
      image: need(r.image as string, `${path}.image`),
      imageBinary: need(r.imageBinary as string, `${path}.imageBinary`),
    };
  }
  const def = need(eppRaw.default as string, 'epp.default');
  if (!versions[def]) throw new VersionsError('epp.default', `epp.default "${def}" is not one of epp.versions`);
  if (!versions[def].build) {
    throw new VersionsError('epp.default', `epp.default "${def}" has no module build; the local default needs one`);
  }
  const kindDef = need(eppRaw.kindDefault as string, 'epp.kindDefault');
  if (!versions[kindDef]) {
    throw new VersionsError('epp.kindDefault', `epp.kindDefault "${kindDef}" is not one of epp.versions`);
  }
  const cp = need(doc['control-plane'], 'control-plane');
  const kind = need(doc.kind, 'kind');
  const operator = need(kind.operator, 'kind.operator');
  const packages = debianPackages(doc.debianPackages);
  return {
    epp: { default: def, kindDefault: kindDef, versions },
    kvEventsEpp: kvEventsEppPin(doc.kvEventsEpp, 'kvEventsEpp', packages),
    operatorManager: operatorManagerPin(doc.operatorManager, 'operatorManager'),
    goAutoAgent: goAutoAgentPin(doc.goAutoAgent, 'goAutoAgent', packages),
    jaeger: {
      ...goPin(doc.jaeger, 'jaeger'),
      release: need(doc.jaeger.release, 'jaeger.release'),
      image: need(doc.jaeger.image, 'jaeger.image'),
      alternatives: (doc.jaeger.alternatives ?? {}) as Record<string, { version: string; image: string }>,
    },
    envoy: {
      pypi: need(doc.envoy?.pypi, 'envoy.pypi'),
      version: need(doc.envoy?.version, 'envoy.version'),
      image: need(doc.envoy?.image, 'envoy.image'),
      alternatives: (doc.envoy?.alternatives ?? {}) as Record<string, { image: string }>,
    },
    controlPlane: {
      kubernetes: goPin(cp.kubernetes, 'control-plane.kubernetes'),
      etcd: goPin(cp.etcd, 'control-plane.etcd'),
    },
    kind: {
      ...goPin(kind, 'kind'),
      nodeImage: need(kind.nodeImage, 'kind.nodeImage'),
      clusterName: need(kind.clusterName, 'kind.clusterName'),
      mockVllmImage: need(kind.mockVllmImage, 'kind.mockVllmImage'),
      certManager: {
        version: need(kind.certManager?.version, 'kind.certManager.version'),
        manifest: need(kind.certManager?.manifest, 'kind.certManager.manifest'),
      },
      operator: {
        default: need(operator.default, 'kind.operator.default'),
        previous: need(operator.previous, 'kind.operator.previous'),
        manifest: need(operator.manifest, 'kind.operator.manifest'),
        latestManifest: need(operator.latestManifest, 'kind.operator.latestManifest'),
      },
    },
    ghz: goPin(doc.ghz, 'ghz'),
    debianPackages: packages,
  };
}

const DEFAULT_FILE = join(REPO_ROOT, 'versions.yaml');
let cached: Versions | undefined;

export function loadVersions(file = DEFAULT_FILE): Versions {
  if (file !== DEFAULT_FILE) return parseVersions(readFileSync(file, 'utf8'), file);
  cached ??= parseVersions(readFileSync(DEFAULT_FILE, 'utf8'), DEFAULT_FILE);
  return cached;
}

/**
 * Resolves a user-given EPP version ("gie-v1.5.0", or the bare "v1.5.0") to its pin, or explains the choices.
 * Without one: the topology's default (kind runs an image, so it defaults to an llm-d EPP).
 */
export function resolveEppVersion(
  versions: Versions,
  wanted: string | undefined,
  topology: 'local' | 'kind' = 'local',
): { name: string; pin: EppPin } {
  const name = wanted ?? (topology === 'kind' ? versions.epp.kindDefault : versions.epp.default);
  const direct = versions.epp.versions[name];
  if (direct) return { name, pin: direct };
  const byVersion = Object.entries(versions.epp.versions).filter(([, p]) => p.version === name);
  if (byVersion.length === 1) return { name: byVersion[0][0], pin: byVersion[0][1] };
  throw new Error(
    `unknown EPP version "${name}"; pinned versions are: ${Object.keys(versions.epp.versions).join(', ')} ` +
      `(see versions.yaml)`,
  );
}

/**
 * The module build of an EPP version; an image-only one (llm-d) says how to run it on local instead: the module
 * proxy refuses it, so someone builds it from a checkout and passes the binary.
 */
export function eppBuild(name: string, pin: EppPin): GoToolPin {
  if (pin.build) return pin.build;
  throw new Error(
    `EPP ${name} is image-only here (the Go module proxy does not serve ${pin.source ?? 'it'}): on the local ` +
      `topology pass a binary built from it, --epp-binary PATH; on kind its image ${pin.image} runs`,
  );
}

export function jaegerReleases(v: Versions): string[] {
  return [v.jaeger.release, ...Object.keys(v.jaeger.alternatives)];
}

export function envoyVersions(v: Versions): string[] {
  return [v.envoy.version, ...Object.keys(v.envoy.alternatives)];
}

/**
 * The pins of one run: the default Jaeger and Envoy, or the alternatives the run asked for (compare). Every
 * consumer (tool builds, the local processes, the kind images) reads Jaeger and Envoy from what this returns.
 */
export function selectPins(v: Versions, choice: { jaegerRelease?: string; envoyVersion?: string }): Versions {
  let jaeger = v.jaeger;
  if (choice.jaegerRelease && choice.jaegerRelease !== v.jaeger.release) {
    const alt = v.jaeger.alternatives[choice.jaegerRelease];
    if (!alt)
      throw new Error(`unknown Jaeger release "${choice.jaegerRelease}"; pinned: ${jaegerReleases(v).join(', ')}`);
    jaeger = { ...v.jaeger, release: choice.jaegerRelease, version: alt.version, image: alt.image };
  }
  let envoy = v.envoy;
  if (choice.envoyVersion && choice.envoyVersion !== v.envoy.version) {
    const alt = v.envoy.alternatives[choice.envoyVersion];
    if (!alt) throw new Error(`unknown Envoy version "${choice.envoyVersion}"; pinned: ${envoyVersions(v).join(', ')}`);
    envoy = { ...v.envoy, version: choice.envoyVersion, image: alt.image };
  }
  return { ...v, jaeger, envoy };
}
