// A jest reporter for the fault matrix: per scenario file, failed or not and its failure messages, as strings
// only, in the shape of jest's --json (which cannot be used: it throws on a BigInt anywhere in a failure's details).
// The file goes where EPP_E2E_OUTCOME_FILE says.
const { writeFileSync } = require('node:fs');

class OutcomeReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.EPP_E2E_OUTCOME_FILE;
    if (!file) return;
    const testResults = results.testResults.map((r) => ({
      name: r.testFilePath,
      status: r.numFailingTests > 0 || r.testExecError ? 'failed' : 'passed',
      message: String((r.testExecError && r.testExecError.message) || r.failureMessage || ''),
      assertionResults: r.testResults.map((a) => ({
        status: a.status,
        failureMessages: a.failureMessages.map(String),
      })),
    }));
    writeFileSync(file, JSON.stringify({ testResults }, null, 2));
  }
}

module.exports = OutcomeReporter;
