import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as readline from 'node:readline';
import { readClaudeCode } from '../../cli/commands/usageImportClaudeCode';
import { DEFAULT_ALERT_SETTINGS, detectFailingCommands, detectModelSwitch, detectSpendSpikes } from '../../server/analytics/detectors';
import { forecastMonth } from '../../server/analytics/forecast';
import { readCalls } from '../../server/analytics/readers';
import type { CallFact } from '../../server/analytics/rows';
import { UsageService } from '../../server/analytics/service';
import { appendEntry } from '../../server/ledger/ledger';
import { memoryLogger } from '../../server/log';
import { homePaths } from '../../server/protocol/paths';
import type { ImportRow } from '../../server/protocol/usage';
import { recordCommand } from '../../server/sessions/instrumentation';
import { Store } from '../../server/store/store';
import { tempHome } from '../support/home';
import { percentile, report, timeCalls } from './support/report';

const HOUR = 3_600_000;
const USERS = ['ann', 'bob', 'cy'];
const NOW = Date.parse('2026-12-15T10:30:00Z');
const IMPORT_MB = Number(process.env.CORRAL_BENCH_IMPORT_MB ?? 100);

/** A year of hourly usage per user: spend with a daily rhythm, a model mix, a command or two an hour. */
function hourlyYear(): { calls: CallFact[] } {
  const calls: CallFact[] = [];
  for (let h = 365 * 24; h >= 1; h--) {
    const at = new Date(NOW - h * HOUR + 60_000).toISOString();
    USERS.forEach((user, u) => {
      const usd = 0.5 + 0.4 * Math.sin((h / 24) * 2 * Math.PI) + u * 0.1;
      calls.push({
        at,
        user,
        provider: 'openai',
        model: h % 5 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
        sessionId: `s${Math.floor(h / 24)}`,
        task: null,
        persona: null,
        source: null,
        inputTokens: 2000,
        outputTokens: 100,
        cacheReadTokens: 1024,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        costUsd: usd,
      });
    });
  }
  return { calls };
}

/** Claude Code transcript lines in their real shape (two lines per message, as streaming writes them). */
function writeClaudeLogs(dir: string, megabytes: number): number {
  fs.mkdirSync(dir, { recursive: true });
  let bytes = 0;
  let lines = 0;
  for (let file = 0; bytes < megabytes * 1e6; file++) {
    const out: string[] = [];
    for (let i = 0; i < 2000; i++, lines++) {
      const message = Math.floor(lines / 2);
      out.push(
        JSON.stringify({
          parentUuid: null,
          isSidechain: false,
          userType: 'external',
          cwd: '/home/ann/app',
          sessionId: `sess-${file}`,
          version: '1.0.98',
          gitBranch: 'main',
          type: 'assistant',
          requestId: `req_${message}`,
          uuid: `u-${lines}`,
          timestamp: new Date(NOW - 30 * 24 * HOUR + lines * 1000).toISOString(),
          message: {
            id: `msg_${message}`,
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5-20250929',
            content: [{ type: 'text', text: 'x'.repeat(300) }],
            stop_reason: null,
            usage: { input_tokens: 12, cache_creation_input_tokens: 800, cache_read_input_tokens: 14_000, output_tokens: 420, service_tier: 'standard' },
          },
        }),
      );
    }
    const text = out.join('\n') + '\n';
    fs.writeFileSync(path.join(dir, `sess-${file}.jsonl`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

describe('usage analytics benchmark', function () {
  this.timeout(600_000);
  let home: ReturnType<typeof tempHome>;
  let store: Store;
  let service: UsageService;

  before(async () => {
    home = tempHome('ubench');
    const paths = homePaths(home.home);
    store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
    service = new UsageService({ store, clock: { now: () => new Date(NOW) }, logger: memoryLogger(), configFile: paths.config, announce: () => undefined });
  });
  after(async () => {
    await service.close();
    await store.close();
    home.cleanup();
  });

  it('evaluates forecasts and alerts over a year of hourly data, and imports a log folder', async () => {
    const { calls } = hourlyYear();
    await store.write((w) => {
      for (const c of calls) {
        appendEntry(w, {
          at: new Date(c.at),
          user: c.user,
          sessionId: c.sessionId,
          runId: null,
          task: null,
          persona: null,
          provider: c.provider,
          model: c.model,
          usage: c,
          costUsd: c.costUsd,
          priceVersion: 'bench',
          latencyMs: 1,
          outcome: 'ok',
          estimated: false,
          replay: false,
        });
        recordCommand(w, {
          sessionId: c.sessionId ?? 's',
          user: c.user,
          command: 'make test',
          startedAt: c.at,
          durationMs: 10,
          exitCode: c.at.endsWith('1:00.000Z') ? 1 : 0,
          timedOut: false,
          bytesOut: 10,
        });
      }
    });
    const now = new Date(NOW);
    const pure = await timeCalls(20, () => {
      const daily = new Map<string, number>();
      for (const c of calls) daily.set(c.at.slice(0, 10), (daily.get(c.at.slice(0, 10)) ?? 0) + (c.costUsd ?? 0));
      forecastMonth(daily, now);
      detectSpendSpikes(calls, now, DEFAULT_ALERT_SETTINGS);
      detectModelSwitch(calls, now, DEFAULT_ALERT_SETTINGS);
      detectFailingCommands(
        calls.map((c) => ({ at: c.at, user: c.user, sessionId: c.sessionId ?? '', command: 'x', failed: false })),
        now,
        DEFAULT_ALERT_SETTINGS,
      );
      return Promise.resolve();
    });
    await service.evaluate();
    const evaluate = await timeCalls(20, () => service.evaluate());
    const windowRead = await timeCalls(20, () => Promise.resolve(store.read((r) => readCalls(r, null, new Date(NOW - 216 * HOUR).toISOString(), new Date(NOW).toISOString()))));
    const forecast = await timeCalls(20, () => Promise.resolve(service.forecast({ user: 'ann', owner: true }, false)));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-ubench-logs-'));
    try {
      const bytes = writeClaudeLogs(dir, IMPORT_MB);
      const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
      let start = performance.now();
      let lines = 0;
      for (const file of files) for await (const line of readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity })) if (JSON.parse(line)) lines++;
      const floorS = (performance.now() - start) / 1000;
      start = performance.now();
      const rows: ImportRow[] = [];
      for (const file of files) for await (const row of readClaudeCode(file)) rows.push(row);
      const parseS = (performance.now() - start) / 1000;
      start = performance.now();
      let added = 0;
      for (let i = 0; i < rows.length; i += 2000) added += (await service.import('ann', 'claude-code', rows.slice(i, i + 2000))).added;
      const ingestS = (performance.now() - start) / 1000;
      report('usageAnalytics', [
        {
          metric: 'alert evaluation (every detector, every user) + forecasts over a year of hourly rows in the store (p50)',
          value: percentile(evaluate, 50),
          unit: 'ms',
          floor: { name: 'reading the 9-day window alone', value: percentile(windowRead, 50) },
          target: { text: '≤ 50 ms', met: percentile(evaluate, 50) <= 50 },
        },
        { metric: 'usage/forecast of one user (p50)', value: percentile(forecast, 50), unit: 'ms' },
        { metric: `detectors + forecast on ${calls.length.toLocaleString('en-US')} hourly rows in memory (p50)`, value: percentile(pure, 50), unit: 'ms' },
        {
          metric: `import: read ${(bytes / 1e6).toFixed(0)} MB of Claude Code logs (${lines.toLocaleString('en-US')} lines)`,
          value: lines / parseS,
          unit: 'lines/s',
          floor: { name: 'readline + JSON.parse alone', value: lines / floorS },
        },
        {
          metric: `import: price and add ${rows.length.toLocaleString('en-US')} rows to the ledger (${added.toLocaleString('en-US')} new after de-duplication)`,
          value: rows.length / ingestS,
          unit: 'rows/s',
        },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
