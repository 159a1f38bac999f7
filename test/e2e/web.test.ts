import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../server/protocol';
import { runCli } from '../support/cli';
import { startDaemon, type DaemonProcess } from '../support/daemon';
import { repoRoot, tempHome } from '../support/home';

/**
 * `corral web` in Debian's Chromium against a live daemon: sign-in and its refusals, the pages
 * (sessions live, board counts, usage totals), axe-core in light and dark, the keyboard.
 * CORRAL_WEB_SCREENSHOTS=1 also writes docs/images/web-<page>-<theme>.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const IMAGE = 'corral/tiny:latest';
const WAIT = 15_000;

const BOARD = `# Board

## Todo

- [ ] T-1 Write the parser @ann
  - [x] tokens
  - [ ] tables
- [ ] T-2 Document the CLI
- [ ] T-3 Release notes
- [ ] T-7 Escape <img src=x onerror="window.pwned=1"> in titles

## In progress

- [ ] T-4 The web app @bob

## Done

- [x] T-5 The daemon
- [x] T-6 The store
`;

/** Waits for a page to have rendered; on a timeout says what the page shows instead. */
async function ready(page: Page, name: string): Promise<void> {
  try {
    await page.waitForSelector(`main[data-ready="${name}"]`, { timeout: WAIT });
  } catch (error) {
    const shown = await page.evaluate(() => document.querySelector('main')?.textContent ?? document.body.textContent).catch(() => '(no page)');
    throw new Error(`the ${name} page did not render: it shows ${JSON.stringify(shown?.slice(0, 300))}`, { cause: error });
  }
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

describe('corral web (browser app)', function () {
  this.timeout(120_000);
  const { home, cleanup } = tempHome('web');
  const work = fs.mkdtempSync(path.join(path.dirname(home), 'cr-webw-'));
  const repo = path.join(work, 'repo');
  const board = path.join(repo, 'docs', 'TASKS.md');
  const tmp = path.join(work, 'tmp');
  const env = { CORRAL_HOME: home, CORRAL_IMAGE: IMAGE, HOME: tmp, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_CACHE_HOME: path.join(tmp, '.cache') };
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let url: string;
  let loginUrl: string;
  let sessionId: string | undefined;

  const signInLink = async (): Promise<{ url: string; loginUrl: string }> => {
    const result = await runCli(['--json', 'web', '--port', '0'], env);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { url: string; loginUrl: string };
  };
  const origin = (): string => new URL(url).origin;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      // Debian's Chromium only (scripts/provision-vscode.sh would add code-server, minutes more).
      this.timeout(600_000);
      execFileSync('bash', ['-c', 'command -v chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }'], {
        stdio: 'inherit',
      });
    }
    fs.mkdirSync(path.dirname(board), { recursive: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(board, BOARD);
    daemon = await startDaemon(home, env);
    ({ url, loginUrl } = await signInLink());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, ...env },
      timeout: WAIT,
    });
    context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (sessionId !== undefined) {
      try {
        await runCli(['session', 'rm', sessionId, '--purge'], env);
      } catch {
        // No CLI to ask (dist/ being rebuilt): remove the container by its name, as the engine knows it.
        execFileSync('docker', ['rm', '-f', `corral-${sessionId}`], { stdio: 'ignore' });
      }
    }
    await daemon?.terminate();
    cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('signs in with the one-time link: the code leaves the address bar, the cookie is HttpOnly and SameSite=Strict', async () => {
    await page.goto(loginUrl);
    await ready(page, 'sessions');
    assert.ok(!page.url().includes('login='), page.url());
    assert.match((await page.textContent('.who')) ?? '', /signed in as /);
    const cookies = await context!.cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true);
    assert.equal(cookies[0]!.sameSite, 'Strict');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(loginUrl.split('#login=')[1]!), 'the code is not kept in the page');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the cookie');
  });

  it('refuses a browser without the code, and a used code', async () => {
    const stranger = await browser!.newContext();
    try {
      const other = await stranger.newPage();
      await other.goto(url);
      await other.waitForSelector('text=Not signed in', { timeout: WAIT });
      // The same link again: its code was spent by the first sign-in.
      await other.goto(loginUrl);
      await other.waitForSelector('text=Not signed in', { timeout: WAIT });
      assert.equal((await stranger.cookies()).length, 0);
    } finally {
      await stranger.close();
    }
    const replay = await fetch(new URL('/api/login', url), {
      method: 'POST',
      headers: { Origin: origin(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: loginUrl.split('#login=')[1] }),
    });
    assert.equal(replay.status, 401);
    const fresh = await signInLink();
    const foreign = await fetch(new URL('/api/login', url), {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: fresh.loginUrl.split('#login=')[1] }),
    });
    assert.equal(foreign.status, 403, 'a sign-in posted from another origin');
    // A name that resolves here by DNS rebinding is not this server.
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = http.get(url, { headers: { Host: `attacker.example:${new URL(url).port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.once('error', reject);
    });
    assert.equal(rebound, 421);
  });

  it('opens the WebSocket only with the cookie and this Origin', async () => {
    const cookie = (await context!.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const wsUrl = `${origin().replace('http', 'ws')}/rpc`;
    const attempt = (headers: Record<string, string>): Promise<number | 'open'> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers });
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('error', (error) => reject(error));
      });
    assert.equal(await attempt({ Cookie: cookie, Origin: 'http://evil.example' }), 403, 'foreign Origin');
    assert.equal(await attempt({ Cookie: cookie, Origin: `http://localhost:${new URL(url).port}` }), 403, 'another origin of the same port');
    assert.equal(await attempt({ Origin: origin() }), 401, 'no cookie');
    assert.equal(await attempt({ Cookie: `${cookie.split('=')[0]}=forged`, Origin: origin() }), 401, 'a forged cookie');
    assert.equal(await attempt({ Cookie: cookie, Origin: origin() }), 'open', 'the page itself');
  });

  it('carries JSON-RPC both ways through the bridge, large messages too, as the identity that signed in', async () => {
    const cookie = (await context!.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const ws = new WebSocket(`${origin().replace('http', 'ws')}/rpc`, { headers: { Cookie: cookie, Origin: origin() } });
    const answers = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== undefined) answers.get(message.id)?.(message);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let next = 1;
    const call = (method: string, params: unknown): Promise<{ result?: unknown; error?: { message: string } }> =>
      new Promise((resolve) => {
        const id = next++;
        answers.set(id, resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    try {
      assert.match((await call('kv/list', {})).error?.message ?? '', /before corral\/hello/, "the daemon's hello gate still applies");
      // The page's token is replaced by the bridge: whatever it says, the cookie decides who it is.
      const hello = await call('corral/hello', { protocolVersion: PROTOCOL_VERSION, token: 'anything', client: { kind: 'web' } });
      assert.equal((hello.result as { identity: { role: string } }).identity.role, 'owner', JSON.stringify(hello));
      const value = 'x'.repeat(60_000);
      const puts = await Promise.all(Array.from({ length: 20 }, (_, i) => call('kv/put', { key: `web/big-${i}`, value })));
      assert.deepEqual(
        puts.filter((p) => p.error !== undefined),
        [],
      );
      const list = (await call('kv/list', { prefix: 'web/' })).result as { key: string; value: string }[];
      assert.equal(list.length, 20);
      assert.ok(
        list.every((entry) => entry.value === value),
        'a 1.2 MB answer arrives whole',
      );
    } finally {
      ws.close();
    }
  });

  it('keeps serving on its first port and mints a new code each time', async () => {
    const again = await signInLink();
    assert.equal(again.url, url);
    assert.notEqual(again.loginUrl, loginUrl);
    const other = await runCli(['web', '--port', '1'], env);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /already listens on port/);
  });

  it('shows a session started through the CLI, live', async () => {
    await page.goto(`${url}#/sessions`);
    await ready(page, 'sessions');
    const started = await runCli(['--json', 'session', 'start', '--repo', repo, '--image', IMAGE], env);
    assert.equal(started.code, 0, started.stderr);
    sessionId = (JSON.parse(started.stdout) as { id: string }).id;
    // No reload: the row arrives through session/changed.
    const row = await page.waitForSelector(`tr[data-session="${sessionId}"] .state-ready`, { timeout: WAIT });
    assert.equal(await row.textContent(), 'ready');
    await runCli(['session', 'pause', sessionId], env);
    await page.waitForSelector(`tr[data-session="${sessionId}"] .state-paused`, { timeout: WAIT });
  });

  it('shows the board grouped by status with its counts, and moves a card through tasks/update', async () => {
    await page.goto(`${url}#/board?file=${encodeURIComponent(board)}`);
    await page.waitForSelector('.columns', { timeout: WAIT });
    const counts = await page.$$eval('section.column', (sections) =>
      Object.fromEntries(sections.map((s) => [s.getAttribute('data-status'), Number(s.querySelector('.count')?.getAttribute('data-count'))])),
    );
    assert.deepEqual(counts, { todo: 4, in_progress: 1, review: 0, blocked: 0, done: 2 });
    // Whatever a title holds becomes text, never markup.
    assert.equal(await page.locator('article[data-task="T-7"] img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.match((await page.textContent('article[data-task="T-1"]')) ?? '', /@ann.*1\/2 subtasks/);
    // Moved with the keyboard (the kanban: test/e2e/kanban.test.ts): Space, two columns right, Space.
    await page.focus('article[data-task="T-3"]');
    for (const key of ['Space', 'ArrowRight', 'ArrowRight', 'Space']) await page.keyboard.press(key);
    await page.waitForFunction(() => document.getElementById('announcer')?.textContent === 'T-3 moved to Done', undefined, { timeout: WAIT });
    await page.waitForSelector('section[data-status="done"] article[data-task="T-3"]', { timeout: WAIT });
    const text = fs.readFileSync(board, 'utf8');
    assert.equal(text, BOARD.replace('- [ ] T-3 Release notes\n', '').replace('- [x] T-6 The store\n', '- [x] T-6 The store\n- [x] T-3 Release notes\n'));
  });

  it('shows the usage totals the CLI reports', async () => {
    const imported = await runCli(['usage', 'import', '--from', 'claude-code', path.join(repoRoot, 'test', 'fixtures', 'usage', 'claude', 'projects')], env);
    assert.equal(imported.code, 0, imported.stderr);
    const cli = JSON.parse((await runCli(['--json', 'usage', '--since', '30d'], env)).stdout) as { total: { calls: number } };
    await page.goto(`${url}#/usage`);
    await ready(page, 'usage');
    assert.equal(await page.textContent('[data-total="calls"] .tile-value'), cli.total.calls.toLocaleString('en-US'));
    // The month with its forecast, and tokens by kind per day: uPlot canvases, described in words.
    assert.equal(await page.locator('figure.chart canvas').count(), cli.total.calls > 0 ? 2 : 1);
    assert.match((await page.getAttribute('figure.chart .chart-plot', 'aria-label')) ?? '', /spent|so far/);
  });

  it('asks for a reload when a page chunk is gone (Corral rebuilt while the page was open)', async () => {
    await page.goto(`${url}#/sessions`);
    // A fresh document: one that has loaded the usage page keeps its module.
    await page.reload();
    await ready(page, 'sessions');
    const web = path.join(repoRoot, 'dist', 'web');
    const chunk = fs.readdirSync(web).find((name) => /^usage-.*\.js$/.test(name))!;
    fs.renameSync(path.join(web, chunk), path.join(web, `${chunk}.away`));
    try {
      await page.goto(`${url}#/usage`);
      await page.waitForSelector('text=Corral was updated since this page was loaded', { timeout: WAIT });
    } finally {
      fs.renameSync(path.join(web, `${chunk}.away`), path.join(web, chunk));
    }
    await page.reload();
    await ready(page, 'usage');
  });

  // light and dark as the system asks for them; the high-contrast ones picked with the Theme button.
  for (const scheme of ['light', 'dark', 'hc-dark', 'hc-light'] as const) {
    it(`has no serious or critical axe-core violation on any page (${scheme})`, async () => {
      const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
      const picked = scheme.startsWith('hc-');
      await page.emulateMedia({ colorScheme: picked ? 'light' : (scheme as 'light' | 'dark') });
      await page.goto(`${url}#/sessions`);
      await page.evaluate((theme) => localStorage.setItem('corral.theme', theme), picked ? scheme : 'system');
      await page.reload();
      const problems: string[] = [];
      for (const route of ['sessions', `board?file=${encodeURIComponent(board)}`, 'usage']) {
        const name = route.split('?')[0]!;
        await page.goto(`${url}#/${route}`);
        await ready(page, name);
        // Evaluated through the debugger protocol: the page's CSP (rightly) refuses injected scripts.
        await page.evaluate(axe);
        const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
        for (const v of result.violations)
          if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
        if (picked) assert.equal(await page.getAttribute('html', 'data-theme'), scheme);
        if (process.env.CORRAL_WEB_SCREENSHOTS === '1') await page.screenshot({ path: path.join(repoRoot, 'docs', 'images', `web-${name}-${scheme}.png`) });
      }
      assert.deepEqual(problems, []);
      await page.evaluate(() => localStorage.removeItem('corral.theme'));
    });
  }

  for (const route of ['sessions', 'board', 'usage']) {
    it(`reaches every control of the ${route} page with the keyboard`, async () => {
      await page.goto(`${url}#/${route === 'board' ? `board?file=${encodeURIComponent(board)}` : route}`);
      await ready(page, route);
      // A kanban card is a control too (focus, then Space picks it up); the other cards are reached
      // from it with the arrows (roving focus: one Tab stop among them), so they are not counted.
      const controls = await page.$$eval(
        'a[href], button:not([tabindex="-1"]), input, select, vscode-button, [tabindex="0"]',
        (all) => all.map((el, i) => el.setAttribute('data-k', String(i))).length,
      );
      const reached = new Set<string>();
      await page.focus('body');
      for (let press = 0; press < controls + 5; press++) {
        await page.keyboard.press('Tab');
        const key = await page.evaluate(() => {
          let el: Element | null = document.activeElement;
          while (el !== null && !el.hasAttribute('data-k')) el = el.parentElement ?? (el.getRootNode() as ShadowRoot).host ?? null;
          return el?.getAttribute('data-k') ?? null;
        });
        if (key !== null) reached.add(key);
      }
      assert.equal(reached.size, controls, `reached ${reached.size} of ${controls} controls by Tab`);
    });
  }
});
