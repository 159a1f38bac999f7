// Mocha reporter: the usual spec output for people, plus a JSON file of the real results
// (CORRAL_TEST_RESULTS) that scripts/summarize.mjs turns into the closing "N passed, N failed" line.
// The file is rewritten after every test with `complete: false` and once more at the end with
// `complete: true`, so a step killed by its time limit still reports what it ran — and is
// counted as a failure because it never completed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

class CorralReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.CORRAL_TEST_RESULTS;
    const results = { passed: 0, failed: 0, skipped: 0, complete: false, tests: [] };
    const save = () => {
      if (!file) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temp = `${file}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(results, null, 2));
      fs.renameSync(temp, file);
    };
    const record = (status) => (test, error) => {
      results[status]++;
      results.tests.push({ title: test.fullTitle(), file: test.file && path.relative(process.cwd(), test.file), status, ...(error ? { error: String(error.message) } : {}) });
      save();
    };
    runner.on(EVENT_TEST_PASS, record('passed'));
    runner.on(EVENT_TEST_FAIL, record('failed'));
    runner.on(EVENT_TEST_PENDING, record('skipped'));
    runner.once(EVENT_RUN_END, () => {
      results.complete = true;
      save();
    });
  }
}

module.exports = CorralReporter;
