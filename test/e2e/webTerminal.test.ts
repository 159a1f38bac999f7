import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';

/**
 * The browser app's terminal into a session (issue 14 item 5): a session started by the CLI, its
 * Terminal link on the Sessions page, a shell in the jail typed into through xterm.js and
 * attach/*, under the app's strict CSP (no style or script refused); leaving the page detaches and
 * the session keeps running.
 */
const CHROMIUM = '/usr/bin/chromium';
const IMAGE = 'corral/tiny:latest';
const WAIT = 20_000;

describe('corral web: a terminal into a session', function () {
  this.timeout(180_000);
  const { home, cleanup } = tempHome('webterm');
  const work = fs.mkdtempSync(path.join(path.dirname(home), 'cr-webt-'));
  const tmp = path.join(work, 'tmp');
  const env = { CORRAL_HOME: home, CORRAL_IMAGE: IMAGE, HOME: tmp, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_CACHE_HOME: path.join(tmp, '.cache') };
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  let sessionId: string | undefined;
  const refused: string[] = [];

  const screen = (): Promise<string> => page.evaluate(() => (document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText ?? '');

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.timeout(600_000);
      execFileSync('bash', ['-c', 'command -v chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }'], {
        stdio: 'inherit',
      });
    }
    fs.mkdirSync(tmp, { recursive: true });
    daemon = await startDaemon(home, env);
    // From a folder outside any repository: an empty workspace (inside one, the repository is the default).
    const started = await runCli(['--json', 'session', 'start'], env, tmp);
    assert.equal(started.code, 0, started.stderr);
    sessionId = (JSON.parse(started.stdout) as { id: string }).id;
    const link = await runCli(['--json', 'web', '--port', '0'], env);
    assert.equal(link.code, 0, link.stderr);
    const { url: base, loginUrl } = JSON.parse(link.stdout) as { url: string; loginUrl: string };
    url = base;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, ...env },
    });
    page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(loginUrl);
    await page.waitForSelector('main[data-ready="sessions"]', { timeout: WAIT });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (sessionId !== undefined) await runCli(['session', 'rm', sessionId, '--purge'], env).catch(() => undefined);
    await daemon?.terminate();
    cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('opens from the session’s row, runs what is typed in the jail, and shows its output', async () => {
    await page.click(`tr[data-session="${sessionId}"] a[href*="terminal?session="]`);
    await page.waitForSelector('main[data-ready="terminal"] .xterm-rows', { timeout: WAIT });
    await page.waitForFunction(() => /[#$]\s*$/m.test((document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: WAIT });
    await page.keyboard.type('echo corral-$((6*7)) && id -u');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^corral-42\s*$/m.test((document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: WAIT });
    // The shell runs in the jail: the command's own line and its answer, nothing of this machine's.
    assert.match(await screen(), /echo corral-\$\(\(6\*7\)\) && id -u/);
    assert.deepEqual(refused, [], 'the CSP refused nothing (xterm.js draws with styles that carry the page nonce)');
  });

  it('detaches when the page is left; the session keeps running and answers', async () => {
    await page.goto(`${url}#/sessions`);
    await page.waitForSelector('main[data-ready="sessions"]', { timeout: WAIT });
    const listed = JSON.parse((await runCli(['--json', 'session', 'ls'], env)).stdout) as { id: string; state: string }[];
    assert.equal(listed.find((s) => s.id === sessionId)?.state, 'ready');
    const exec = await runCli(['exec', sessionId!, '--', 'echo', 'still-here'], env);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout.trim(), 'still-here');
  });

  it('without a session, lists the sessions a terminal can open in', async () => {
    await page.goto(`${url}#/terminal`);
    await page.waitForSelector('main[data-ready="terminal"]', { timeout: WAIT });
    assert.equal(await page.locator(`a[href="#/terminal?session=${encodeURIComponent(sessionId!)}"]`).count(), 1);
  });
});
