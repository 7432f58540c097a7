/**
 * Regenerates fixtures/kind-schemas/ from the pinned upstream modules (Go module proxy, no network else):
 * Kubernetes' OpenAPI v3 for the kinds our manifests use, trimmed to what those kinds reference, and the
 * openAPIV3Schema of each CRD we render (InferencePool from the EPP's module, Instrumentation from the
 * OpenTelemetry Operator's). Run `make kind-schemas` after changing a pin in versions.yaml.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { moduleDir } from '../../tools/build-go-tool';
import { loadVersions, REPO_ROOT } from '../../tools/versions';
import type { SchemaSet, JsonSchema } from './schema-validate';

const OUT = join(REPO_ROOT, 'fixtures', 'kind-schemas');

/** The built-in kinds our templates render, and the OpenAPI v3 file of their group-version. */
const BUILTIN_KINDS: [file: string, gvk: string, schema: string][] = [
  ['api__v1_openapi.json', 'v1/Namespace', 'io.k8s.api.core.v1.Namespace'],
  ['api__v1_openapi.json', 'v1/ServiceAccount', 'io.k8s.api.core.v1.ServiceAccount'],
  ['api__v1_openapi.json', 'v1/Service', 'io.k8s.api.core.v1.Service'],
  ['api__v1_openapi.json', 'v1/ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
  ['api__v1_openapi.json', 'v1/Pod', 'io.k8s.api.core.v1.Pod'],
  ['apis__apps__v1_openapi.json', 'apps/v1/Deployment', 'io.k8s.api.apps.v1.Deployment'],
  ['apis__rbac.authorization.k8s.io__v1_openapi.json', 'rbac.authorization.k8s.io/v1/Role', 'io.k8s.api.rbac.v1.Role'],
  [
    'apis__rbac.authorization.k8s.io__v1_openapi.json',
    'rbac.authorization.k8s.io/v1/RoleBinding',
    'io.k8s.api.rbac.v1.RoleBinding',
  ],
];

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.replace('#/components/schemas/', ''));
      else if (k !== 'description') collectRefs(v, into);
    }
  }
}

/** Descriptions are most of the bytes and none of the checking. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => k !== 'description' && k !== 'default')
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return node;
}

function crdSchemas(dir: string, kinds: string[], source: string): SchemaSet['crds'] {
  const out: SchemaSet['crds'] = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const crd = doc.toJS() as any;
      if (crd?.kind !== 'CustomResourceDefinition' || !kinds.includes(crd.spec.names.kind)) continue;
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        out[`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`] = {
          source: `${source}:${file}`,
          schema: strip(v.schema.openAPIV3Schema) as JsonSchema,
        };
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const v = loadVersions();
  const progress = (m: string): void => void process.stderr.write(`[kind-schemas] ${m}\n`);
  const k8s = v.controlPlane.kubernetes;
  const k8sDir = await moduleDir(k8s);
  const specDir = join(k8sDir, 'api', 'openapi-spec', 'v3');
  const schemas: Record<string, JsonSchema> = {};
  const kinds: Record<string, string> = {};
  for (const [file, gvk, root] of BUILTIN_KINDS) {
    const all = JSON.parse(readFileSync(join(specDir, file), 'utf8')).components.schemas as Record<string, unknown>;
    kinds[gvk] = root;
    const todo = [root];
    while (todo.length) {
      const name = todo.pop() as string;
      if (schemas[name]) continue;
      if (!all[name]) throw new Error(`${file}: no schema ${name}`);
      schemas[name] = strip(all[name]) as JsonSchema;
      const refs = new Set<string>();
      collectRefs(all[name], refs);
      todo.push(...refs);
    }
  }
  const epp = v.epp.versions[v.epp.default].crds;
  const eppDir = await moduleDir(epp);
  const operatorPin = { module: 'github.com/open-telemetry/opentelemetry-operator', version: v.kind.operator.default };
  const operatorDir = await moduleDir(operatorPin);
  const crds = {
    ...crdSchemas(join(eppDir, 'config', 'crd', 'bases'), ['InferencePool'], `${epp.module}@${epp.version}`),
    ...crdSchemas(
      join(operatorDir, 'config', 'crd', 'bases'),
      ['Instrumentation'],
      `${operatorPin.module}@${operatorPin.version}`,
    ),
  };
  const set: SchemaSet = {
    generatedFrom: [
      `${k8s.module}@${k8s.version} api/openapi-spec/v3`,
      ...new Set(Object.values(crds).map((c) => c.source)),
    ],
    kinds,
    schemas,
    crds,
  };
  writeFileSync(join(OUT, 'schemas.json'), JSON.stringify(set, null, 1) + '\n');
  progress(
    `wrote ${Object.keys(kinds).length} built-in kinds (${Object.keys(schemas).length} schemas) and ${Object.keys(crds).length} CRD versions to ${OUT}/schemas.json`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`kind-schemas: ${err.message}\n`);
  process.exit(1);
});
