import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cacheRoot } from './cache';
// The parser's version is part of the cache key: another version may read the same text differently.
import { version as YAML_VERSION } from 'yaml/package.json';

/**
 * Every document of a YAML file as plain data (an empty document as null), parsed once per content: the parse is
 * kept as JSON in the tool cache, keyed by a hash of the text and the parser's version.
 *
 * Why: the operator's CRDs are 740 KB of YAML that take ~1 s of CPU to parse, on the critical path of every
 * operator start (several per suite, two at once in some files, on 2 cores); their JSON reads in ~6 ms. The files
 * read this way sit in the Go module cache, which never changes a version's files, but the key is the content, so
 * an edited file is simply parsed again.
 */
export function readYamlDocuments(file: string, env: NodeJS.ProcessEnv = process.env): unknown[] {
  const text = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(YAML_VERSION).update('\0').update(text).digest('hex');
  const dir = join(cacheRoot(env), 'parsed-yaml');
  const cached = join(dir, `${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as unknown[];
  } catch {
    // Not parsed yet, or a partial file from a crash: parse and (re)write it.
  }
  const docs = parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as unknown;
  });
  const json = JSON.stringify(docs);
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside, then renamed: a concurrent reader sees the whole file or none.
    const partial = `${cached}.${process.pid}.partial`;
    writeFileSync(partial, json);
    renameSync(partial, cached);
  } catch {
    // A cache that cannot be written costs time, not correctness.
  }
  // What a later read returns, already now: the first run and the cached ones see the same data.
  return JSON.parse(json) as unknown[];
}
