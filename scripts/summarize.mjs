// Reads the result files each test step wrote and prints the closing line from them:
// "N passed, N failed, N skipped". A missing or empty file counts as a failed step, and a run in
// which no test executed fails: nothing is taken from mocha's own summary.
import { existsSync, readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
for (const file of files) {
  if (!existsSync(file)) {
    failed++;
    problems.push(`${file}: missing (the step crashed before reporting)`);
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
  for (const test of result.tests.filter((t) => t.status === 'failed')) problems.push(`${test.title}: ${test.error ?? 'failed'}`);
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
