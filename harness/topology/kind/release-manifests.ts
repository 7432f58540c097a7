import axios from 'axios';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../components/kube-client';
import { cacheRoot } from '../../tools/cache';
import type { Versions } from '../../tools/versions';

export const OPERATOR_NAMESPACE = 'opentelemetry-operator-system';
export const OPERATOR_DEPLOYMENT = 'opentelemetry-operator-controller-manager';
export const CERT_MANAGER_NAMESPACE = 'cert-manager';
export const CERT_MANAGER_DEPLOYMENTS = ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'];
/** Go auto-instrumentation is off by default; the operator's own e2e turns it on with this flag. */
export const GO_INSTRUMENTATION_FLAG = '--enable-go-instrumentation=true';

export interface ReleaseManifest {
  name: 'cert-manager' | 'opentelemetry-operator';
  version: string;
  url: string;
}

export function certManagerRelease(v: Versions): ReleaseManifest {
  const version = v.kind.certManager.version;
  return { name: 'cert-manager', version, url: v.kind.certManager.manifest.replace('{version}', version) };
}

export function operatorRelease(v: Versions, version: string): ReleaseManifest {
  const url =
    version === 'latest' ? v.kind.operator.latestManifest : v.kind.operator.manifest.replace('{version}', version);
  return { name: 'opentelemetry-operator', version, url };
}

/**
 * A release's install manifest, downloaded once per version into the tools cache (a `latest` is fetched every
 * time: what it names changes). Written to a temporary file first so an interrupted download is not cached.
 */
export async function fetchReleaseManifest(
  r: ReleaseManifest,
  progress: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeObject[]> {
  const file = join(cacheRoot(env), 'manifests', r.name, `${r.version}.yaml`);
  let text: string;
  if (r.version !== 'latest' && existsSync(file)) {
    text = readFileSync(file, 'utf8');
  } else {
    progress(`downloading the ${r.name} ${r.version} install manifest: ${r.url}`);
    try {
      const res = await axios.get<string>(r.url, { responseType: 'text', timeout: 60000, maxRedirects: 5 });
      text = res.data;
    } catch (err) {
      throw new Error(
        `could not download the ${r.name} ${r.version} manifest from ${r.url}: ${(err as Error).message}. ` +
          `Check the version exists (releases of ${r.name}) and that this machine can reach github.com.`,
      );
    }
    if (r.version !== 'latest') {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.part`, text);
      renameSync(`${file}.part`, file);
    }
  }
  const docs = parseManifest(text, r.url);
  if (docs.length === 0) throw new Error(`the ${r.name} ${r.version} manifest (${r.url}) holds no objects`);
  return docs;
}

export function parseManifest(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${source}: document ${i + 1}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (obj?.kind) out.push(obj);
  });
  return out;
}

/**
 * Turns on Go auto-instrumentation in the operator's release manifest: adds the flag to the manager container
 * of its controller Deployment. Fails loudly if the manifest's shape changed, rather than installing an
 * operator that would silently refuse every inject-go pod.
 */
export function enableGoInstrumentation(objects: KubeObject[]): KubeObject[] {
  let patched = 0;
  const out = objects.map((o) => {
    if (o.kind !== 'Deployment' || o.metadata.name !== OPERATOR_DEPLOYMENT) return o;
    const copy = JSON.parse(JSON.stringify(o)) as KubeObject & {
      spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } };
    };
    const manager = copy.spec.template.spec.containers.find((c) => c.name === 'manager');
    if (!manager) return o;
    const args = (manager.args ?? []).filter((a) => !a.startsWith('--enable-go-instrumentation'));
    manager.args = [...args, GO_INSTRUMENTATION_FLAG];
    patched++;
    return copy;
  });
  if (patched !== 1) {
    throw new Error(
      `the operator manifest has ${patched} Deployments named ${OPERATOR_DEPLOYMENT} with a "manager" container ` +
        '(expected 1): cannot enable Go auto-instrumentation',
    );
  }
  return out;
}

/** CRDs and Namespaces first, the rest in manifest order: a custom resource needs its CRD established. */
export function installOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject): number => (o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : 2);
  return [...objects]
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
}
