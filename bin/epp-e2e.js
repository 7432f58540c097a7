#!/usr/bin/env node
// Entry point of the `epp-e2e` command: the harness's TypeScript, transpiled once and cached (ts-register.js).
'use strict';
require('./ts-register');
require('../harness/cli/main').main(process.argv.slice(2));
