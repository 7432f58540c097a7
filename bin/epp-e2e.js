#!/usr/bin/env node
// Entry point of the `epp-e2e` command. TypeScript is loaded with ts-node in transpile-only mode:
// type checking is `npm run typecheck`'s job, and start-up stays under a second.
'use strict';
require('ts-node').register({
  transpileOnly: true,
  project: require('node:path').join(__dirname, '..', 'tsconfig.json'),
});
require('../harness/cli/main').main(process.argv.slice(2));
