import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../components/kube-client';
import { REPO_ROOT } from '../../tools/versions';

/** The subset of OpenAPI v3 / structural schema that Kubernetes uses. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  format?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [k: string]: unknown;
}

/** What fixtures/kind-schemas/schemas.json holds (written by update-schemas.ts). */
export interface SchemaSet {
  generatedFrom: string[];
  /** apiVersion/kind -> schema name in `schemas`. */
  kinds: Record<string, string>;
  schemas: Record<string, JsonSchema>;
  /** group/version/kind -> the CRD's own openAPIV3Schema. */
  crds: Record<string, { source: string; schema: JsonSchema }>;
}

export function loadSchemaSet(file = join(REPO_ROOT, 'fixtures', 'kind-schemas', 'schemas.json')): SchemaSet {
  return JSON.parse(readFileSync(file, 'utf8')) as SchemaSet;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * Checks an object the way the API server does with strict field validation: unknown fields, wrong types,
 * values outside an enum and missing required fields are all reported, each with its path. Returns every
 * problem, not just the first, so one test run shows them all.
 */
export function validateObject(obj: KubeObject, set: SchemaSet): string[] {
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const builtin = set.kinds[gvk];
  const root: JsonSchema | undefined = builtin ? set.schemas[builtin] : set.crds[gvk]?.schema;
  if (!root) return [`${gvk}: no schema known (add the kind to update-schemas.ts)`];
  const errors: string[] = [];
  const resolve = (s: JsonSchema): JsonSchema => {
    let cur = s;
    // `allOf: [{$ref}]` is how the Kubernetes OpenAPI v3 wraps a reference with a default.
    while (cur.$ref || (cur.allOf?.length === 1 && !cur.type && !cur.properties)) {
      if (cur.$ref) {
        const name = cur.$ref.replace('#/components/schemas/', '');
        const next = set.schemas[name];
        if (!next) throw new Error(`schema ${name} missing from the schema set`);
        cur = next;
      } else cur = (cur.allOf as JsonSchema[])[0];
    }
    return cur;
  };
  const walk = (value: unknown, schema: JsonSchema, path: string): void => {
    const s = resolve(schema);
    const t = typeOf(value);
    if (s['x-kubernetes-int-or-string'] || s.format === 'int-or-string') {
      if (t !== 'integer' && t !== 'string') errors.push(`${path}: must be an integer or a string, got ${t}`);
      return;
    }
    if (s.oneOf || s.anyOf) {
      const options = (s.oneOf ?? s.anyOf) as JsonSchema[];
      if (options.every((o) => o.type)) {
        if (!options.some((o) => o.type === t || (o.type === 'number' && t === 'integer'))) {
          errors.push(`${path}: must be one of ${options.map((o) => o.type).join('|')}, got ${t}`);
        }
        return;
      }
    }
    if (s.enum && !s.enum.includes(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
    const type = s.type;
    if (type) {
      const ok = type === t || (type === 'number' && t === 'integer');
      if (!ok) {
        errors.push(`${path}: must be ${type}, got ${t} ${JSON.stringify(value)?.slice(0, 40)}`);
        return;
      }
    }
    if (t === 'array' && s.items)
      (value as unknown[]).forEach((item, i) => walk(item, s.items as JsonSchema, `${path}[${i}]`));
    if (t === 'object') {
      const o = value as Record<string, unknown>;
      for (const req of s.required ?? []) if (!(req in o)) errors.push(`${path ? `${path}.` : ''}${req}: required`);
      for (const [k, v] of Object.entries(o)) {
        const p = path ? `${path}.${k}` : k;
        const prop = s.properties?.[k];
        if (prop) walk(v, prop, p);
        else if (typeof s.additionalProperties === 'object') walk(v, s.additionalProperties, p);
        else if (s.properties && !s.additionalProperties && !s['x-kubernetes-preserve-unknown-fields']) {
          errors.push(`${p}: unknown field (known: ${Object.keys(s.properties).sort().join(', ')})`);
        }
      }
    }
  };
  walk(obj, root, '');
  return errors.map(
    (e) => `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}: ${e}`,
  );
}
