// Runs the extension-host tests in a real VS Code (route 2 of the VS Code e2e note): the VS Code
// server inside code-server, on Node 24, opened by Debian's Chromium through playwright-core.
// Every process it starts gets its own process group, recorded in <run>/pgids for the shell
// script's trap; they are all killed on every exit path here too. A run that does not end within
// the deadline is a failed result, never a wait without end.
//
// usage: tsx test/vscode/driver.ts  (configured by the environment, see scripts/test-vscode.sh)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { openWorkbench, type Workbench } from './workbench';

interface Results {
  passed: number;
  failed: number;
  skipped: number;
  tests: { title: string; file: string; status: 'passed' | 'failed' | 'skipped'; error?: string }[];
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/test-vscode.sh sets it)`);
  return value;
};
const cache = env('CORRAL_VSCODE_CACHE');
const runDir = env('CORRAL_VSCODE_RUN');
const workspace = env('CORRAL_VSCODE_WORKSPACE');
const extensionPath = env('CORRAL_VSCODE_EXTENSION');
const testsPath = env('CORRAL_VSCODE_TESTS');
const resultsFile = env('CORRAL_VSCODE_RESULTS');
const deadlineMs = Number(process.env.CORRAL_VSCODE_DEADLINE_MS ?? 300_000);

let workbench: Workbench | undefined;

function log(message: string): void {
  process.stdout.write(`test-vscode: ${message}\n`);
}

function readResults(): Results {
  try {
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results;
  } catch {
    return { passed: 0, failed: 0, skipped: 0, tests: [] };
  }
}

function fail(results: Results, title: string, error: string): Results {
  results.failed++;
  results.tests.push({ title: `VS Code test run: ${title}`, file: 'test/vscode/driver.ts', status: 'failed', error });
  return results;
}

async function runTests(): Promise<Results> {
  fs.rmSync(resultsFile, { force: true });
  let resolveExit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (resolveExit = resolve));
  workbench = await openWorkbench({
    cache,
    runDir,
    workspace,
    env: { CORRAL_VSCODE_RESULTS: resultsFile },
    payload: (remote) => [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(testsPath)],
    ],
    beforeOpen: async (page) => {
      await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        // console.* of the extension host, with its format string (mocha's spec reporter uses %s).
        const text = format(...(Array.isArray(args) ? args : [args]));
        fs.appendFileSync(path.join(runDir, 'extension-host.log'), `${type}: ${text}\n`);
        // The workbench's own chatter (gallery lookups offline, service worker) stays in the log file.
        if (!/open-vsx|Service Worker|queryGallery|^\s+at /.test(text)) process.stdout.write(`${text}\n`);
      });
    },
  });
  const { page, server, chrome } = workbench;
  log('VS Code is open; the tests run in its extension host');

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    exitCode.then((code) => ({ kind: 'exit' as const, code })),
    new Promise<{ kind: 'deadline' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'deadline' }), deadlineMs))),
    new Promise<{ kind: 'died'; what: string }>((resolve) => {
      server.once('exit', (code, signal) => resolve({ kind: 'died', what: `the VS Code server exited (${code ?? signal})` }));
      chrome.once('exit', (code, signal) => resolve({ kind: 'died', what: `Chromium exited (${code ?? signal})` }));
      page.once('crash', () => resolve({ kind: 'died', what: 'the page crashed' }));
    }),
  ]);
  clearTimeout(timer);
  if (process.env.CORRAL_VSCODE_SCREENSHOT) await page.screenshot({ path: process.env.CORRAL_VSCODE_SCREENSHOT }).catch(() => undefined);
  const results = readResults();
  switch (outcome.kind) {
    case 'exit':
      if (outcome.code !== 0 && results.failed === 0)
        return fail(results, 'mocha in the extension host', `exit code ${outcome.code} and no failed test recorded; see ${runDir}/extension-host.log`);
      if (results.passed + results.failed === 0) return fail(results, 'mocha in the extension host', `no test ran; see ${runDir}/extension-host.log`);
      return results;
    case 'deadline':
      return fail(
        results,
        'deadline',
        `the tests did not finish within ${deadlineMs / 1000} s (a hang inside VS Code); results up to then are kept; see ${runDir}/extension-host.log`,
      );
    case 'died':
      return fail(results, 'crash', `${outcome.what}; see ${runDir}`);
  }
}

async function main(): Promise<number> {
  let results: Results;
  try {
    results = await runTests();
  } catch (error) {
    results = fail(readResults(), 'setup', error instanceof Error ? error.message : String(error));
  } finally {
    await workbench?.close();
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  return results.failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    workbench?.kill();
    const results = fail(readResults(), 'interrupted', `stopped by ${signal}`);
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    process.exit(1);
  });
}

void main().then((code) => process.exit(code));
