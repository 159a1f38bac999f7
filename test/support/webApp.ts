import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from './cli';
import { startDaemon, type DaemonProcess } from './daemon';
import { tempHome } from './home';

export const CHROMIUM = '/usr/bin/chromium';
export const WAIT = 15_000;

/** A live daemon serving `corral web`, a repository folder for boards, and Chromium signed in. */
export interface WebApp {
  url: string;
  repo: string;
  browser: Browser;
  page: Page;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startWebApp(label: string): Promise<WebApp> {
  if (!fs.existsSync(CHROMIUM))
    execFileSync('bash', ['-c', 'command -v chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }'], {
      stdio: 'inherit',
    });
  const { home, cleanup } = tempHome(label);
  const work = fs.mkdtempSync(path.join(path.dirname(home), `cr-${label}-`));
  const repo = path.join(work, 'repo');
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(path.join(repo, 'docs'), { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  const env = { CORRAL_HOME: home, HOME: tmp, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_CACHE_HOME: path.join(tmp, '.cache') };
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await daemon?.terminate();
    cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    daemon = await startDaemon(home, env);
    const signed = await runCli(['--json', 'web', '--port', '0'], env);
    assert.equal(signed.code, 0, signed.stderr);
    const { url, loginUrl } = JSON.parse(signed.stdout) as { url: string; loginUrl: string };
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, ...env },
      timeout: WAIT,
    });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(loginUrl);
    await page.waitForSelector('main[data-ready]', { timeout: WAIT }).catch(async (error: unknown) => {
      throw new Error(`the web app did not sign in: it shows ${JSON.stringify((await page.textContent('body').catch(() => ''))?.slice(0, 300))}`, { cause: error });
    });
    return { url, repo, browser, page, env, close };
  } catch (error) {
    await close();
    throw error;
  }
}
