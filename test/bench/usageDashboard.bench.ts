import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { appendEntry } from '../../server/ledger/ledger';
import { memoryLogger } from '../../server/log';
import { DaemonStatusRequest, UsageImport } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { loadSqlJs } from '../../server/store/sqlite';
import { Store } from '../../server/store/store';
import type { Writer } from '../../server/store/store';
import { runCli } from '../support/cli';
import { connect, spawnDaemon, type DaemonProcess } from '../support/daemon';
import { until } from '../support/until';
import { requireBuild, tempHome } from '../support/home';
import { percentile, report } from './support/report';

/**
 * The usage page over a big ledger, in Chromium against the built daemon: open → charts drawn,
 * and a new ledger row → the page's totals updated. The ledger (1,000,000 calls over a year, three
 * users, five models, a session a day) is written straight into a store snapshot with the
 * ledger's own insert (appendEntry), as if the daemon had recorded it, so the daemon starts on it.
 */
const ROWS = Number(process.env.CORRAL_BENCH_LEDGER_ROWS ?? 1_000_000);
const CHROMIUM = '/usr/bin/chromium';
const DAY = 86_400_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-5'];
const ROUNDS = 5;

/** Appends ROWS ledger calls to the snapshot of a fresh store in `home`, spread over the last year. */
async function writeLedger(home: string, user: string): Promise<void> {
  const paths = homePaths(home);
  const store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
  await store.write((w) => w.run("INSERT OR REPLACE INTO kv (owner, key, value, version, updated_at) VALUES ('bench', 'ledger', '1', 1, '2026-01-01T00:00:00Z')"));
  await store.close();
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(paths.db));
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  const writer = {
    run(sql: string, params: unknown[] = []) {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      statement.run(params as never);
    },
  } as unknown as Writer;
  const now = Date.now();
  const users = [user, 'bob', 'cy'];
  db.run('BEGIN');
  for (let i = 0; i < ROWS; i++) {
    const at = new Date(now - 365 * DAY + Math.floor((i / ROWS) * 365 * DAY) - 60_000);
    const u = users[i % users.length]!;
    const model = MODELS[i % MODELS.length]!;
    appendEntry(writer, {
      at,
      user: u,
      sessionId: `s-${u}-${at.toISOString().slice(0, 10)}`,
      runId: null,
      task: i % 7 === 0 ? `T-${i % 40}` : null,
      persona: i % 3 === 0 ? 'reviewer' : null,
      provider: model.startsWith('claude') ? 'anthropic' : 'openai',
      model,
      usage: { inputTokens: 2000 + (i % 500), outputTokens: 150 + (i % 90), cacheReadTokens: 1024, cacheWriteTokens: 0, reasoningTokens: i % 4 === 0 ? 40 : 0 },
      costUsd: 0.002 + (i % 13) * 0.0005,
      priceVersion: 'bench',
      latencyMs: 800,
      outcome: 'ok',
      estimated: false,
      replay: false,
    });
  }
  db.run('COMMIT');
  for (const statement of statements.values()) statement.free();
  fs.writeFileSync(paths.db, db.export());
  db.close();
}

describe('benchmark: the usage page over a 1,000,000-row ledger', function () {
  this.timeout(900_000);
  const { home, cleanup } = tempHome('udash');
  const tmp = fs.mkdtempSync(path.join(path.dirname(home), 'cr-udash-'));
  const env = { CORRAL_HOME: home, HOME: tmp, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_CACHE_HOME: path.join(tmp, '.cache') };
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close().catch(() => undefined);
    await daemon?.terminate();
    cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('opens the page and draws the charts; shows a new ledger row', async () => {
    requireBuild();
    if (!fs.existsSync(CHROMIUM))
      execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium'], { stdio: 'inherit' });
    const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    let started = performance.now();
    await writeLedger(home, user);
    const writeS = (performance.now() - started) / 1000;
    started = performance.now();
    // Its own wait, longer than startDaemon's: loading and checking a 178 MB store is part of what is measured.
    daemon = spawnDaemon(home, env);
    await until(
      async () => {
        const client = await connect(home).catch(() => undefined);
        if (!client) return false;
        try {
          return (await client.rpc.sendRequest(DaemonStatusRequest, {})).pid > 0;
        } finally {
          client.dispose();
        }
      },
      { timeoutMs: 180_000, everyMs: 100, what: 'the daemon to answer on the big ledger' },
    );
    const startS = (performance.now() - started) / 1000;
    const link = await runCli(['--json', 'web', '--port', '0'], env);
    assert.equal(link.code, 0, link.stderr);
    const { url, loginUrl } = JSON.parse(link.stdout) as { url: string; loginUrl: string };
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      env: { ...process.env, ...env },
    });
    const page: Page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.goto(loginUrl);
    await page.waitForSelector('main[data-ready="sessions"]', { timeout: 60_000 });

    // Open → drawn: from navigation to the month chart's and the tokens chart's canvases on the
    // page (uPlot draws synchronously when made). Floor: the Sessions page of the same app.
    const open = async (route: string, drawn: string): Promise<number> => {
      await page.goto('about:blank');
      const start = performance.now();
      await page.goto(`${url}#/${route}`);
      await page.waitForSelector(drawn, { timeout: 60_000 });
      return performance.now() - start;
    };
    const usage: number[] = [];
    const sessions: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      sessions.push(await open('sessions', 'main[data-ready="sessions"]'));
      usage.push(await open('usage', 'main[data-ready="usage"] figure.chart:nth-of-type(2) canvas'));
    }
    const calls = Number((await page.textContent('[data-total="calls"] .tile-value'))?.replace(/,/g, ''));
    // Your own calls (a third of them) of the last 30 days (a twelfth of the year).
    assert.ok(calls > ROWS / 50, `the page shows your last 30 days of the ledger (${calls} calls)`);

    // A new row → the page's totals show it: an import of one call, timed from the request to the
    // calls tile's new value. Floor: the import's own round trip.
    const client = await connect(home);
    const updates: number[] = [];
    const imports: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const before = await page.textContent('[data-total="calls"] .tile-value');
        const start = performance.now();
        const answered = client.rpc
          .sendRequest(UsageImport, {
            source: 'claude-code',
            rows: [
              {
                externalId: `bench-${i}-${Date.now()}`,
                at: new Date().toISOString(),
                provider: 'anthropic',
                model: 'claude-sonnet-4-5',
                session: 'bench',
                inputTokens: 1000,
                outputTokens: 100,
                cacheReadTokens: 0,
                cacheWriteTokens: 0,
                reasoningTokens: 0,
              },
            ],
          })
          .then(() => imports.push(performance.now() - start));
        await page.waitForFunction((old) => document.querySelector('[data-total="calls"] .tile-value')?.textContent !== old, before, { timeout: 60_000 });
        updates.push(performance.now() - start);
        await answered;
      }
    } finally {
      client.dispose();
    }
    const rss = Number(fs.readFileSync(`/proc/${daemon.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
    report('usageDashboard', [
      {
        metric: `usage page open → charts drawn, ${ROWS.toLocaleString('en-US')}-row ledger (p50 of ${ROUNDS})`,
        value: percentile(usage, 50),
        unit: 'ms',
        floor: { name: 'the Sessions page', value: percentile(sessions, 50) },
        target: { text: '≤ 500 ms', met: percentile(usage, 50) <= 500 },
      },
      {
        metric: `a new ledger row → the page's totals updated (p50 of ${ROUNDS})`,
        value: percentile(updates, 50),
        unit: 'ms',
        floor: { name: 'the usage/import round trip', value: percentile(imports, 50) },
        target: { text: '≤ 200 ms', met: percentile(updates, 50) <= 200 },
      },
      { metric: 'daemon start on that ledger (store loaded, first answer)', value: startS * 1000, unit: 'ms' },
      { metric: 'daemon memory (RSS) with that ledger loaded', value: rss, unit: 'MB' },
      { metric: `writing the ${ROWS.toLocaleString('en-US')} rows (bench set-up, appendEntry into the snapshot)`, value: writeS, unit: 's' },
    ]);
  });
});
