// Runs one static check (typecheck, lint) as a test step: its outcome is written in the same
// result format as the mocha reporter, so scripts/summarize.mjs counts it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const [name, out, ...command] = process.argv.slice(2);
// A time limit, so a wedged checker fails this step instead of the whole CI run.
const run = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
  .split('\n')
  .filter((l) => !l.startsWith('npm warn'))
  .join('\n')
  .trim();
const ok = run.status === 0;
console.log(`${ok ? '  ✔' : '  ✗'} ${name}${ok ? '' : `\n${output}`}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    complete: true,
    tests: [{ title: name, status: ok ? 'passed' : 'failed', ...(ok ? {} : { error: output.slice(0, 2000) }) }],
  }),
);
