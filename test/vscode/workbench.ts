// A real VS Code workbench for the tests and the screenshots: the VS Code server inside
// code-server, on Node 24, opened by Debian's Chromium through playwright-core (see the VS Code
// e2e note). Every process gets its own process group, recorded in <run>/pgids for the shell
// script's trap, and `close()` kills them all.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface WorkbenchOptions {
  /** The cache of scripts/provision-vscode.sh. */
  cache: string;
  /** A folder of this run: logs, profiles, HOME. */
  runDir: string;
  workspace: string;
  /** User settings on top of the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment of the server and so of the extension host. */
  env?: NodeJS.ProcessEnv;
  /** `[name, value]` pairs of the workbench's payload (extensionDevelopmentPath, extensionTestsPath). */
  payload?: (remote: (file: string) => string) => [string, string][];
  /** Called with the page before it navigates (to expose functions). */
  beforeOpen?: (page: Page) => Promise<void>;
  viewport?: { width: number; height: number };
}

export interface Workbench {
  page: Page;
  server: ChildProcess;
  chrome: ChildProcess;
  /** Disconnects from Chromium (bounded), then kills every process group. */
  close(): Promise<void>;
  /** Kills every process group at once: for exit and signal handlers, which cannot wait. */
  kill(): void;
}

const QUIET_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
};

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const { cache, runDir } = options;
  const node24 = path.join(cache, 'node24', 'node_modules', '.bin', 'node');
  const serverMain = path.join(cache, 'cs', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  const chromiumPath = process.env.CORRAL_CHROMIUM ?? '/usr/bin/chromium';
  for (const file of [node24, serverMain, chromiumPath]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/provision-vscode.sh`);
  }
  const children: ChildProcess[] = [];
  let browser: Browser | undefined;
  const kill = (): void => {
    for (const child of children.splice(0)) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const close = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([browser?.close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    kill();
  };
  process.once('exit', kill);
  const spawnGroup = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    fs.appendFileSync(path.join(runDir, 'pgids'), `${child.pid}\n`);
    children.push(child);
    const logFile = path.join(runDir, `${name}.log`);
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => fs.appendFileSync(logFile, chunk));
    return child;
  };

  try {
    // code-server and Chromium write into HOME, the XDG folders and TMPDIR even with their own
    // profile folders: all of it stays in the run folder.
    const home = path.join(runDir, 'home');
    const isolation = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      TMPDIR: path.join(runDir, 'tmp'),
    };
    for (const dir of [...Object.values(isolation), path.join(runDir, 'ud', 'User')]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'ud', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));

    const port = await freePort();
    const server = spawnGroup(
      'server',
      node24,
      [
        serverMain,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--without-connection-token',
        '--accept-server-license-terms',
        '--enable-smoke-test-driver',
        '--disable-telemetry',
        '--server-data-dir',
        path.join(runDir, 'sd'),
        '--user-data-dir',
        path.join(runDir, 'ud'),
        '--extensions-dir',
        path.join(runDir, 'ext'),
      ],
      { ...isolation, ...options.env },
    );
    await waitForLine(server, path.join(runDir, 'server.log'), /Extension host agent listening on \d+/, 60_000);

    const size = options.viewport ?? { width: 1400, height: 900 };
    const chrome = spawnGroup(
      'chromium',
      chromiumPath,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--user-data-dir=${path.join(runDir, 'chromium')}`,
        '--remote-debugging-port=0',
        `--window-size=${size.width},${size.height}`,
        'about:blank',
      ],
      isolation,
    );
    const [, devtools] = await waitForLine(chrome, path.join(runDir, 'chromium.log'), /DevTools listening on (ws:\/\/\S+)/, 30_000);
    browser = await chromium.connectOverCDP(devtools!, { timeout: 15_000 });
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize(size);
    await options.beforeOpen?.(page);
    const remote = (file: string): string => `vscode-remote://127.0.0.1:${port}${file}`;
    const payload = options.payload ? `&payload=${encodeURIComponent(JSON.stringify(options.payload(remote)))}` : '';
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}${payload}`);
    return { page, server, chrome, close, kill };
  } catch (error) {
    await close();
    throw error;
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

/** Resolves with the first output line matching `pattern`; rejects when the process exits first or on timeout. */
function waitForLine(child: ChildProcess, logFile: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs / 1000} s; see ${logFile}`)), timeoutMs);
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
      reject(new Error(`exited (${code ?? signal}) before it was ready; see ${logFile}`));
    });
  });
}
