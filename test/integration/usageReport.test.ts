import * as assert from 'node:assert/strict';
import { saveForecast } from '../../server/analytics/alertStore';
import { forecastMonth } from '../../server/analytics/forecast';
import { monthReport } from '../../server/analytics/monthReport';
import { DEFAULT_INFRA_RATES } from '../../server/analytics/infra';
import { appendEntry, Ledger, type LedgerEntry } from '../../server/ledger/ledger';
import { memoryLogger } from '../../server/log';
import { homePaths } from '../../server/protocol/paths';
import { recordSample } from '../../server/sessions/instrumentation';
import { Store } from '../../server/store/store';
import { tempHome } from '../support/home';

const DAY = 86_400_000;

function call(at: string, costUsd: number | null, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    at: new Date(at),
    user: 'ann',
    sessionId: 'sA',
    runId: null,
    task: 'T-1',
    persona: null,
    provider: 'openai',
    model: 'gpt-4o',
    usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 600, cacheWriteTokens: 100, reasoningTokens: 20 },
    costUsd,
    priceVersion: 'test',
    latencyMs: 10,
    outcome: 'ok',
    estimated: false,
    replay: false,
    ...extra,
  };
}

describe('the monthly usage report on a real store', function () {
  this.timeout(30_000);
  let home: ReturnType<typeof tempHome>;
  let store: Store;

  before(async () => {
    home = tempHome('report');
    const paths = homePaths(home.home);
    store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
  });
  after(async () => {
    await store.close();
    home.cleanup();
  });

  it('sums the month, ranks tasks and sessions, prices container time, and sets the mid-month forecast against the actual', async () => {
    await store.write((w) => {
      // $2 a day through November 2026, one call a day; a second session and task on the 20th; one unpriced call; a replay (not spend).
      for (let t = Date.parse('2026-11-01T12:00:00Z'); t < Date.parse('2026-12-01T00:00:00Z'); t += DAY) appendEntry(w, call(new Date(t).toISOString(), 2));
      appendEntry(w, call('2026-11-20T13:00:00Z', 5, { sessionId: 'sB', task: 'T-2', model: 'o3' }));
      appendEntry(w, call('2026-11-21T13:00:00Z', null, { sessionId: 'sB', task: 'T-2', model: 'mystery' }));
      appendEntry(w, call('2026-11-22T13:00:00Z', 99, { replay: true }));
      appendEntry(w, call('2026-10-31T23:59:59Z', 50));
      appendEntry(w, call('2026-11-05T10:00:00Z', 7, { user: 'bob', sessionId: 'sC', task: null }));
      w.run("INSERT INTO sessions (id, owner, workspace, image, limits, state, created_at, updated_at) VALUES ('sA', 'ann', '/w', 'img', '{}', 'ready', 'x', 'x')");
      // 2 CPUs busy and 1 GiB for 60 s, then a sample that ends it.
      recordSample(w, 'sA', '2026-11-10T00:00:00.000Z', { cpuPercent: 200, memoryBytes: 1024 ** 3, pids: 3 });
      recordSample(w, 'sA', '2026-11-10T00:01:00.000Z', { cpuPercent: 0, memoryBytes: 0, pids: 1 });
      // Forecasts made on the 10th and 15th (the mid-month one counts) and the 20th.
      const daily = new Map<string, number>();
      for (let d = 1; d <= 14; d++) daily.set(`2026-11-${String(d).padStart(2, '0')}`, 2);
      saveForecast(w, 'ann', '2026-11-10', { ...forecastMonth(daily, new Date('2026-11-10T00:00:00Z')), projectedUsd: 1000 });
      saveForecast(w, 'ann', '2026-11-15', forecastMonth(daily, new Date('2026-11-15T00:00:00Z')));
      saveForecast(w, 'ann', '2026-11-20', { ...forecastMonth(daily, new Date('2026-11-20T00:00:00Z')), projectedUsd: 2000 });
    });
    const r = store.read((reader) => monthReport(reader, 'ann', '2026-11', DEFAULT_INFRA_RATES));
    assert.equal(r.total.calls, 32, '30 days + 2 calls of the 20th and 21st; the replay, October and bob left out');
    assert.equal(r.total.costUsd, 65);
    assert.equal(r.total.unpricedCalls, 1);
    assert.deepEqual(r.tokens, { input: 32 * 300, cached: 32 * 600, cacheWrite: 32 * 100, output: 32 * 100, reasoning: 32 * 20 });
    assert.deepEqual(
      r.topTasks.map((t) => [t.key, t.costUsd]),
      [
        ['T-1', 60],
        ['T-2', 5],
      ],
    );
    assert.deepEqual(
      r.topSessions.map((t) => t.key),
      ['sA', 'sB'],
    );
    assert.deepEqual(
      r.byModel.map((m) => m.key),
      ['openai/gpt-4o', 'openai/o3', 'openai/mystery'],
    );
    assert.equal(r.weeks[0]!.period, '2026-10-26');
    assert.equal(r.infrastructure.cpuSeconds, 120);
    assert.ok(Math.abs(r.infrastructure.memoryGbHours - 60 / 3600) < 1e-12);
    const f = r.forecastVsActual!;
    assert.equal(f.madeOn, '2026-11-15');
    assert.ok(Math.abs(f.projectedUsd - 60) < 1e-6, `a steady $2 a day projects $60, got ${f.projectedUsd}`);
    assert.ok(Math.abs(f.errorPct! - ((60 - 65) / 65) * 100) < 1e-6);
    const everyone = store.read((reader) => monthReport(reader, null, '2026-11', DEFAULT_INFRA_RATES));
    assert.deepEqual(everyone.users, ['ann', 'bob']);
    assert.equal(everyone.total.costUsd, 72);
  });

  it('tells the usage service of each durable ledger row', async () => {
    const heard: string[] = [];
    const ledger = new Ledger(store, (user) => heard.push(user));
    await ledger.append(call('2026-12-01T10:00:00Z', 1, { user: 'cy' }));
    assert.deepEqual(heard, ['cy']);
  });
});
