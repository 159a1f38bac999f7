// Runs the extension-host tests in a real VS Code (route 2 of the VS Code e2e note): the VS Code
// server inside code-server, on Node 24, opened by Debian's Chromium through playwright-core.
// Every process it starts gets its own process group, recorded in <run>/pgids for the shell
// script's trap; they are all killed on every exit path here too. A run that does not end within
// the deadline is a failed result, never a wait without end.
//
// usage: tsx test/vscode/driver.ts  (configured by the environment, see scripts/test-vscode.sh)
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

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
const chromiumPath = process.env.CORRAL_CHROMIUM ?? '/usr/bin/chromium';
const node24 = path.join(cache, 'node24', 'node_modules', '.bin', 'node');
const serverMain = path.join(cache, 'cs', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');

const children: ChildProcess[] = [];
let browser: Browser | undefined;

function log(message: string): void {
  process.stdout.write(`test-vscode: ${message}\n`);
}

/**
 * Spawns in a new process group, recorded for the shell's trap; stdout and stderr are copied to
 * <run>/<name>.log and kept for `waitForLine`.
 */
function spawnGroup(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
  fs.appendFileSync(path.join(runDir, 'pgids'), `${child.pid}\n`);
  children.push(child);
  const logFile = path.join(runDir, `${name}.log`);
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => fs.appendFileSync(logFile, chunk));
  return child;
}

function killAll(): void {
  for (const child of children.splice(0)) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves with the first output line matching `pattern`; rejects when the process exits first. */
function waitForLine(child: ChildProcess, name: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${timeoutMs / 1000} s; see ${runDir}/${name}.log`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffer = (buffer + chunk.toString()).slice(-20_000);
      const match = buffer.match(pattern);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      resolve(match);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready; see ${runDir}/${name}.log`));
    });
  });
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
  for (const file of [node24, serverMain, chromiumPath]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/provision-vscode.sh`);
  }
  fs.rmSync(resultsFile, { force: true });
  const home = path.join(runDir, 'home');
  // code-server and Chromium write into HOME, XDG folders and TMPDIR even with their own profile
  // folders: all of it stays in the run folder.
  const isolation = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache'), TMPDIR: path.join(runDir, 'tmp') };
  for (const dir of [...Object.values(isolation), path.join(runDir, 'ud', 'User')]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(runDir, 'ud', 'User', 'settings.json'),
    JSON.stringify({ 'chat.disableAIFeatures': true, 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'terminal.integrated.gpuAcceleration': 'off', 'extensions.autoCheckUpdates': false, 'update.mode': 'none' }),
  );

  const port = await freePort();
  const server = spawnGroup('server', node24, [
    serverMain,
    '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--enable-smoke-test-driver', '--disable-telemetry',
    '--server-data-dir', path.join(runDir, 'sd'), '--user-data-dir', path.join(runDir, 'ud'), '--extensions-dir', path.join(runDir, 'ext'),
  ], { ...isolation, CORRAL_VSCODE_RESULTS: resultsFile });
  await waitForLine(server, 'server', /Extension host agent listening on \d+/, 60_000);
  log(`VS Code server listening on 127.0.0.1:${port}`);

  const chrome = spawnGroup('chromium', chromiumPath, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${path.join(runDir, 'chromium')}`,
    '--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1', '--window-size=1400,900', 'about:blank',
  ], isolation);
  const [, devtools] = await waitForLine(chrome, 'chromium', /DevTools listening on (ws:\/\/\S+)/, 30_000);
  browser = await chromium.connectOverCDP(devtools!, { timeout: 15_000 });
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = context.pages()[0] ?? (await context.newPage());

  const exitCode = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
  });
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    // console.* of the extension host, with its format string (mocha's spec reporter uses %s).
    const text = format(...(Array.isArray(args) ? args : [args]));
    fs.appendFileSync(path.join(runDir, 'extension-host.log'), `${type}: ${text}\n`);
    // The workbench's own chatter (gallery lookups offline, service worker) stays in the log file.
    if (!/open-vsx|Service Worker|queryGallery|^\s+at /.test(text)) process.stdout.write(`${text}\n`);
  });
  const remote = (file: string): string => `vscode-remote://127.0.0.1:${port}${file}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
  ]);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);

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
      if (outcome.code !== 0 && results.failed === 0) return fail(results, 'mocha in the extension host', `exit code ${outcome.code} and no failed test recorded; see ${runDir}/extension-host.log`);
      if (results.passed + results.failed === 0) return fail(results, 'mocha in the extension host', `no test ran; see ${runDir}/extension-host.log`);
      return results;
    case 'deadline':
      return fail(results, 'deadline', `the tests did not finish within ${deadlineMs / 1000} s (a hang inside VS Code); results up to then are kept; see ${runDir}/extension-host.log`);
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
    await browser?.close().catch(() => undefined);
    killAll();
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  return results.failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    const results = fail(readResults(), 'interrupted', `stopped by ${signal}`);
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    process.exit(1);
  });
}
process.on('exit', killAll);

void main().then((code) => process.exit(code));
