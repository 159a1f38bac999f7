// Mocha reporter: the usual spec output for people, plus a JSON file of the real results
// (CORRAL_TEST_RESULTS) that scripts/summarize.mjs turns into the closing "N passed, N failed" line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

class CorralReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const results = { passed: 0, failed: 0, skipped: 0, tests: [] };
    const record = (status) => (test, error) => {
      results[status]++;
      results.tests.push({ title: test.fullTitle(), file: test.file && path.relative(process.cwd(), test.file), status, ...(error ? { error: String(error.message) } : {}) });
    };
    runner.on(EVENT_TEST_PASS, record('passed'));
    runner.on(EVENT_TEST_FAIL, record('failed'));
    runner.on(EVENT_TEST_PENDING, record('skipped'));
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.CORRAL_TEST_RESULTS;
      if (!file) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(results, null, 2));
    });
  }
}

module.exports = CorralReporter;
