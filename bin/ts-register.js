// Loads the harness's TypeScript in a plain node process: required first by bin/epp-e2e.js, or `node -r
// ./bin/ts-register.js file.ts` (the mock vLLM). Each file is transpiled alone (isolatedModules; type checking is
// `npm run typecheck`'s job) and the output kept in node_modules/.cache, so a start with nothing changed loads no
// compiler at all: transpiling the CLI's ~140 files with ts-node cost ~5 s of CPU on every start, the cached start
// costs about what precompiled JavaScript does.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const PROJECT = path.join(ROOT, 'tsconfig.json');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'epp-e2e-ts');

// The output depends on the file, the compiler's version, the options and this loader; nothing else (one file is
// transpiled without reading any other), so a hash of these is a sound key.
const salt = createHash('sha256')
  .update(require('typescript/package.json').version)
  .update('\0')
  .update(fs.readFileSync(PROJECT))
  .update('\0')
  .update(fs.readFileSync(__filename))
  .digest('hex');

let transpile; // TypeScript is loaded on the first cache miss only (~0.5 s of CPU on its own)
function compiler() {
  if (!transpile) {
    const ts = require('typescript');
    const read = ts.readConfigFile(PROJECT, ts.sys.readFile);
    if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
    const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
    // The map rides inline, for NODE_OPTIONS=--enable-source-maps to map stack traces to the .ts lines. Not on by
    // default: node then parses a file's map whenever a stack through it is formatted (~0.5 s of CPU in an `up`,
    // whose readiness polls format many), and the CLI prints messages, not stacks. No outDir: the map names the
    // source beside the file, not relative to where tsc would write it.
    const compilerOptions = {
      ...options,
      outDir: undefined,
      rootDir: undefined,
      sourceMap: false,
      inlineSourceMap: true,
      declaration: false,
      noEmit: false,
    };
    transpile = (source, fileName) => ts.transpileModule(source, { fileName, compilerOptions }).outputText;
  }
  return transpile;
}

/** One cache entry per source path, its first line the hash of what it was made from: the cache stays bounded. */
function load(source, fileName) {
  const entry = path.join(CACHE, `${createHash('sha256').update(fileName).digest('hex')}.js`);
  const header = `// ${createHash('sha256').update(salt).update(fileName).update('\0').update(source).digest('hex')}\n`;
  try {
    const cached = fs.readFileSync(entry, 'utf8');
    if (cached.startsWith(header)) return cached.slice(header.length);
  } catch {
    // not cached yet
  }
  const js = compiler()(source, fileName);
  try {
    // Written aside and renamed: processes starting together (two mock vLLMs) never read half a file.
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = `${entry}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, header + js);
    fs.renameSync(tmp, entry);
  } catch {
    // A read-only checkout still runs, only without the cache.
  }
  return js;
}

Module._extensions['.ts'] = function (module, fileName) {
  module._compile(load(fs.readFileSync(fileName, 'utf8'), fileName), fileName);
};
