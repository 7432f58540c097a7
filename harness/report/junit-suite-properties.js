// jest-junit's suite properties: the run's topology and EPP version on every e2e suite, read from the run's options
// file (harness/config/run-options-file.ts), so a JUnit file says where its results come from. Unit runs have no
// options file and get no properties. Plain JavaScript: jest-junit requires it directly, without a TypeScript loader.
'use strict';
const { existsSync, readFileSync } = require('node:fs');

module.exports = () => {
  const file = process.env.EPP_E2E_OPTIONS_FILE;
  if (!file || !existsSync(file)) return {};
  const options = JSON.parse(readFileSync(file, 'utf8'));
  return { topology: options.topology, 'epp.version': options.eppVersion };
};
