// Runs inside the extension host (extensionTestsPath): mocha over the bundled *.test.js files
// beside this one. Results go to $CORRAL_VSCODE_RESULTS after every test, in the format of
// test/support/reporter.cjs, so a run cut short by the driver's deadline still reports what ran.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Result {
  title: string;
  file: string;
  status: 'passed' | 'failed' | 'skipped';
  error?: string;
  durationMs?: number;
}

export async function run(): Promise<void> {
  const resultsFile = process.env.CORRAL_VSCODE_RESULTS;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.CORRAL_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  // Files in a fixed order: the reconnection test kills the daemon, so it runs last.
  for (const file of fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort(byOrder))
    mocha.addFile(path.join(__dirname, file));
  const results = { passed: 0, failed: 0, skipped: 0, tests: [] as Result[] };
  const save = (): void => {
    if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  };
  save();
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    const record = (status: Result['status']) => (test: Mocha.Test, error?: Error) => {
      results[status]++;
      results.tests.push({
        title: test.fullTitle(),
        file: `test/vscode/${path.basename(test.file ?? '').replace(/\.js$/, '.ts')}`,
        status,
        ...(error ? { error: String(error.message) } : {}),
        ...(test.duration !== undefined ? { durationMs: test.duration } : {}),
      });
      save();
    };
    runner.on('pass', record('passed'));
    runner.on('fail', (test: Mocha.Test | Mocha.Hook, error: Error) => {
      // A failing hook fails the test it ran for; record it under the hook's title.
      record('failed')(test as Mocha.Test, error);
    });
    runner.on('pending', record('skipped'));
  });
}

const ORDER = ['activation', 'tasks', 'sessions', 'terminal', 'panel', 'runs', 'review', 'statusBar', 'reconnect'];
function byOrder(a: string, b: string): number {
  const rank = (name: string): number => {
    const index = ORDER.indexOf(name.replace(/\.test\.js$/, ''));
    return index < 0 ? ORDER.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}
