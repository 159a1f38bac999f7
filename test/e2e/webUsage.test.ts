import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { startDaemon, type DaemonProcess } from '../support/daemon';
import { repoRoot, tempHome } from '../support/home';

/**
 * The usage page of the browser app against a live daemon whose ledger holds Claude Code logs
 * written "just now" (the fixture's lines with fresh times): totals, budget gauges, the month
 * chart's alert markers, alerts acknowledged from the page, a sortable breakdown, the period —
 * each compared with what the CLI reports from the same ledger.
 */
const CHROMIUM = '/usr/bin/chromium';
const WAIT = 15_000;
const MONTH_BUDGET_USD = 0.0001;

interface Totals {
  total: { calls: number; costUsd: number };
  rows: { key: string; calls: number; costUsd: number }[];
}

/** The page drawn, and its slower parts (the open alerts, the month's infrastructure) patched in. */
async function ready(page: Page): Promise<void> {
  await page.waitForSelector('main[data-ready="usage"]', { timeout: WAIT });
  await page.waitForSelector('[data-total="calls"]', { timeout: WAIT });
  await page.waitForSelector('[data-alerts="loaded"]', { timeout: WAIT });
  await page.waitForSelector('[data-total="infrastructure"]', { timeout: WAIT });
}

/**
 * The fixture logs with their timestamps moved (order kept): Claude Code's to `ageS` seconds ago
 * and before, Codex's to the last minutes — so the period choice has something to tell apart and
 * the switch from Claude to a GPT model in the last 24 hours is a real model-switch alert.
 */
function freshLogs(into: string): { claude: string; codex: string } {
  const fixtures = path.join(repoRoot, 'test', 'fixtures', 'usage');
  const copy = (from: string, to: string, ageS: number): void => {
    let shift = ageS + 600;
    for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const source = path.join(entry.parentPath, entry.name);
      const target = path.join(to, path.relative(from, source));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(
        target,
        fs.readFileSync(source, 'utf8').replace(/"timestamp":"[^"]+"/g, () => `"timestamp":"${new Date(Date.now() - shift-- * 1000).toISOString()}"`),
      );
    }
  };
  const claude = path.join(into, 'claude');
  const codex = path.join(into, 'codex');
  copy(path.join(fixtures, 'claude', 'projects'), claude, 36 * 3600);
  copy(path.join(fixtures, 'codex', 'sessions'), codex, 0);
  return { claude, codex };
}

describe('corral web: the usage page', function () {
  this.timeout(120_000);
  const { home, cleanup } = tempHome('webusage');
  const work = fs.mkdtempSync(path.join(path.dirname(home), 'cr-webu-'));
  const tmp = path.join(work, 'tmp');
  const logs = path.join(work, 'logs');
  const env = { CORRAL_HOME: home, HOME: tmp, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_CACHE_HOME: path.join(tmp, '.cache'), NO_COLOR: '1' };
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  const cli = async <T>(args: string[]): Promise<T> => {
    const result = await runCli(['--json', ...args], env);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as T;
  };

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.timeout(600_000);
      execFileSync('bash', ['-c', 'command -v chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }'], {
        stdio: 'inherit',
      });
    }
    fs.mkdirSync(tmp, { recursive: true });
    // A tiny month budget (the gauge shows it spent), a day budget far away, and a model switch
    // noticed from one call on.
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ budgets: { dayUsd: 1000, monthUsd: MONTH_BUDGET_USD }, usage: { alerts: { switchMinCalls: 1 } } }));
    const fresh = freshLogs(logs);
    daemon = await startDaemon(home, env);
    for (const [from, dir] of [
      ['claude-code', fresh.claude],
      ['codex', fresh.codex],
    ] as const) {
      const imported = await cli<{ added: number }>(['usage', 'import', '--from', from, dir]);
      assert.ok(imported.added > 0, `the ${from} logs were imported`);
    }
    const link = await cli<{ url: string; loginUrl: string }>(['web', '--port', '0']);
    url = link.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, ...env },
      timeout: WAIT,
    });
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.goto(link.loginUrl);
    await page.waitForSelector('main[data-ready="sessions"]', { timeout: WAIT });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await daemon?.terminate();
    cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('shows the totals, the month budget gauge over budget, the infrastructure cost, and the model-switch alert marked on the month chart', async () => {
    await page.goto(`${url}#/usage`);
    await ready(page);
    const totals = await cli<Totals>(['usage', '--since', '30d']);
    assert.equal(await page.textContent('[data-total="calls"] .tile-value'), totals.total.calls.toLocaleString('en-US'));
    assert.match((await page.textContent('[data-total="infrastructure"] .tile-value')) ?? '', /^\$\d/);
    const month = page.locator('[data-gauge="month"]');
    assert.match((await month.getAttribute('class')) ?? '', /\bover\b/, 'spend is over the $0.0001 month budget');
    assert.match((await month.locator('[role="meter"]').getAttribute('aria-valuetext')) ?? '', /of \$0\.0001 \(\d+%\)/);
    assert.equal(await month.locator('[role="meter"]').getAttribute('aria-valuenow'), '100');
    assert.match((await page.getAttribute('[data-gauge="day"]', 'class')) ?? '', /\bok\b/, 'far under the $1000 day budget');
    const alerts = await cli<{ alerts: { id: number; kind: string }[] }>(['usage', 'alerts']);
    const course = alerts.alerts.find((alert) => alert.kind === 'model-switch');
    assert.ok(course, `the CLI lists the switch from Claude to GPT: ${JSON.stringify(alerts)}`);
    await page.reload();
    await ready(page);
    assert.equal(await page.locator(`li[data-alert="${course.id}"]`).count(), 1, 'the page lists it');
    assert.match((await page.textContent('figure.chart figcaption')) ?? '', /1 alert marked|\d+ alerts marked/);
    if (process.env.CORRAL_WEB_SCREENSHOTS === '1') {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.reload();
        await ready(page);
        await page.screenshot({ path: path.join(repoRoot, 'docs', 'images', `web-usage-page-${scheme}.png`), fullPage: true });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('acknowledges an alert from the page: it leaves the list and the CLI sees it acknowledged', async () => {
    const open = await cli<{ alerts: { id: number }[] }>(['usage', 'alerts']);
    const first = open.alerts[0];
    assert.ok(first, 'an open alert to acknowledge');
    await page.click(`li[data-alert="${first.id}"] button`);
    await page.waitForSelector(`li[data-alert="${first.id}"]`, { state: 'detached', timeout: WAIT });
    const after = await cli<{ alerts: { id: number; ackedAt: string | null }[] }>(['usage', 'alerts', '--acked']);
    assert.ok(after.alerts.find((alert) => alert.id === first.id)?.ackedAt, 'acknowledged in the ledger');
  });

  it('breaks down by session as the CLI does, and sorts by a header, with aria-sort, by mouse and keyboard', async () => {
    const bySession = await cli<Totals>(['usage', '--since', '30d', '--by', 'session']);
    assert.ok(bySession.rows.length >= 3, 'three sessions: two of Claude Code, one of Codex');
    await page.selectOption('#usage-by', 'session');
    await page.waitForSelector('#breakdown-title:text("By session")', { timeout: WAIT });
    const keys = async (): Promise<string[]> => page.locator('section[aria-labelledby="breakdown-title"] tbody th').allTextContents();
    assert.deepEqual([...(await keys())].sort(), bySession.rows.map((row) => row.key || '(none)').sort());
    // Cost descending by default; a click on Cost sorts ascending.
    const byCost = [...bySession.rows].sort((a, b) => a.costUsd - b.costUsd).map((row) => row.key || '(none)');
    assert.deepEqual(await keys(), [...byCost].reverse());
    await page.click('section[aria-labelledby="breakdown-title"] button[data-sort="cost"]');
    assert.deepEqual(await keys(), byCost);
    assert.equal(await page.getAttribute('section[aria-labelledby="breakdown-title"] th[aria-sort]', 'aria-sort'), 'ascending');
    // The keyboard: the focused header button, Enter, sorts the other way.
    await page.keyboard.press('Enter');
    assert.deepEqual(await keys(), [...byCost].reverse());
  });

  it('follows the chosen period: the last 24 hours hold what the CLI counts for them', async () => {
    const day = await cli<Totals>(['usage', '--since', '24h']);
    await page.selectOption('#usage-range', '24h');
    await page.waitForFunction((calls) => document.querySelector('[data-total="calls"] .tile-value')?.textContent === calls, day.total.calls.toLocaleString('en-US'), {
      timeout: WAIT,
    });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe-core violation (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${url}#/usage`);
      await page.reload();
      await ready(page);
      await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
      const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string }[] }> } }).axe.run());
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
      assert.deepEqual(serious, []);
    });
  }
});
