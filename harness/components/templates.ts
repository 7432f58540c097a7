import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-client';
import { REPO_ROOT } from '../tools/versions';

/** Manifest templates, shared by both topologies (the local one renders the InferencePool from here too). */
export const MANIFESTS_DIR = process.env.EPP_E2E_MANIFESTS_DIR ?? join(REPO_ROOT, 'fixtures', 'manifests');

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}$/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Fills a YAML template. The YAML is parsed first and the placeholders are filled in the parsed tree, so a
 * value can never break the YAML around it: a scalar that is exactly `{{ name }}` becomes the value itself
 * (a list, a map, a number...), a placeholder inside a longer string is replaced by the value's text.
 * A placeholder without a value is an error that names the template and the placeholder.
 */
export function renderTemplateText(template: string, text: string, values: Record<string, unknown>): KubeObject[] {
  const fill = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE.exec(node);
      if (whole) return lookup(whole[1], path);
      return node.replace(PLACEHOLDER, (_, key: string) => {
        const v = lookup(key, path);
        if (typeof v === 'object' && v !== null) {
          throw new TemplateError(`${template}: {{ ${key} }} at ${path} is inside a string but its value is not text`);
        }
        return String(v);
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => fill(item, `${path}[${i}]`));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, path ? `${path}.${k}` : k)]));
    }
    return node;
  };
  const lookup = (key: string, path: string): unknown => {
    if (!(key in values) || values[key] === undefined) {
      throw new TemplateError(`${template}: no value for {{ ${key} }} at ${path}`);
    }
    return values[key];
  };
  const docs: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length) throw new TemplateError(`${template}: document ${i + 1}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) return;
    const filled = fill(obj, '') as KubeObject;
    if (!filled.apiVersion || !filled.kind || !filled.metadata?.name) {
      throw new TemplateError(`${template}: document ${i + 1} has no apiVersion, kind or metadata.name`);
    }
    docs.push(filled);
  });
  return docs;
}

/** A template of fixtures/manifests/ by its file name (or one elsewhere, by its absolute path: a test's own). */
export function renderTemplate(file: string, values: Record<string, unknown>): KubeObject[] {
  return renderTemplateText(file, readFileSync(resolve(MANIFESTS_DIR, file), 'utf8'), values);
}
