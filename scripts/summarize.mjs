// Reads the result files each test step wrote and prints the closing line from them:
// "N passed, N failed, N skipped". Nothing is taken from mocha's own summary. Each of these counts
// as one more failure, with the reason printed: a missing or unreadable file (the step crashed
// before reporting), a file never marked complete (the step hit its time limit or was killed),
// a step that ran no test at all, and a run in which no test executed.
import { existsSync, readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
for (const file of files) {
  if (!existsSync(file)) {
    failed++;
    problems.push(`${file}: missing (the step crashed or was killed before reporting)`);
    continue;
  }
  let result;
  try {
    result = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    failed++;
    problems.push(`${file}: unreadable (${error.message})`);
    continue;
  }
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
  for (const test of result.tests.filter((t) => t.status === 'failed')) problems.push(`${test.title}: ${test.error ?? 'failed'}`);
  if (result.complete === false) {
    failed++;
    problems.push(`${file}: the step did not finish (time limit or crash) after ${result.tests.length} tests`);
  } else if (result.passed + result.failed + result.skipped === 0) {
    failed++;
    problems.push(`${file}: the step ran no test`);
  }
}
if (problems.length > 0) {
  console.log('\nFailures:');
  for (const problem of problems) console.log(`  - ${problem}`);
}
if (passed + failed === 0) {
  console.log('no test executed');
  failed = 1;
}
console.log('');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
