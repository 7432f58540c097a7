import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readYamlDocuments } from './yaml-documents';

describe('readYamlDocuments', () => {
  const work = (): { file: string; env: NodeJS.ProcessEnv; cached: () => string[] } => {
    const dir = mkdtempSync(join(tmpdir(), 'yaml-documents-'));
    const env = { EPP_E2E_CACHE: join(dir, 'cache') };
    return {
      file: join(dir, 'crds.yaml'),
      env,
      cached: () => readdirSync(join(dir, 'cache', 'parsed-yaml')),
    };
  };

  it('returns every document, an empty one as null, and keeps the parse as JSON', () => {
    const { file, env, cached } = work();
    writeFileSync(file, 'kind: A\nspec: {n: 1, list: [x, y]}\n---\n---\nkind: B\n');
    const docs = readYamlDocuments(file, env);
    expect(docs).toEqual([{ kind: 'A', spec: { n: 1, list: ['x', 'y'] } }, null, { kind: 'B' }]);
    expect(cached()).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
    // The second read is the cached one, and the same.
    expect(readYamlDocuments(file, env)).toEqual(docs);
  });

  it('reads the cache, not the YAML, when the text is unchanged', () => {
    const { file, env, cached } = work();
    writeFileSync(file, 'kind: A\n');
    readYamlDocuments(file, env);
    // Planting another value in the cache entry shows the second read comes from it.
    const entry = join(env.EPP_E2E_CACHE as string, 'parsed-yaml', cached()[0]);
    writeFileSync(entry, JSON.stringify([{ kind: 'FromCache' }]));
    expect(readYamlDocuments(file, env)).toEqual([{ kind: 'FromCache' }]);
  });

  it('parses again when the text changed, and when the cache entry is broken', () => {
    const { file, env, cached } = work();
    writeFileSync(file, 'kind: A\n');
    readYamlDocuments(file, env);
    writeFileSync(file, 'kind: B\n');
    expect(readYamlDocuments(file, env)).toEqual([{ kind: 'B' }]);
    expect(cached()).toHaveLength(2);
    // A partial entry (a crash mid-write, before the rename existed) is parsed again and rewritten.
    for (const name of cached()) writeFileSync(join(env.EPP_E2E_CACHE as string, 'parsed-yaml', name), '[{"kind":');
    expect(readYamlDocuments(file, env)).toEqual([{ kind: 'B' }]);
    expect(readYamlDocuments(file, env)).toEqual([{ kind: 'B' }]);
  });

  it('names the file of a YAML error', () => {
    const { file, env } = work();
    writeFileSync(file, 'kind: [unclosed\n');
    expect(() => readYamlDocuments(file, env)).toThrow(`${file}: `);
  });
});
