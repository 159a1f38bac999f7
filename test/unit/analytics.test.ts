import * as assert from 'node:assert/strict';
import { DEFAULT_ALERT_SETTINGS, detectBudgetCourse, detectFailingCommands, detectModelSwitch, detectSpendSpikes } from '../../server/analytics/detectors';
import { burnRate, forecastMonth, leastSquares } from '../../server/analytics/forecast';
import { DEFAULT_INFRA_RATES, infraCost } from '../../server/analytics/infra';
import { robustZ } from '../../server/analytics/robust';
import type { CallFact, CommandFact } from '../../server/analytics/rows';
import { breakdown, periodOf, trend } from '../../server/analytics/trends';

const HOUR = 3_600_000;
const DAY = 86_400_000;

function call(at: number | string, costUsd: number | null, extra: Partial<CallFact> = {}): CallFact {
  return {
    at: typeof at === 'string' ? at : new Date(at).toISOString(),
    user: 'ann',
    provider: 'openai',
    model: 'gpt-4o',
    sessionId: 's1',
    task: null,
    persona: null,
    source: null,
    inputTokens: 100,
    outputTokens: 10,
    cacheReadTokens: 40,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd,
    ...extra,
  };
}

/** One call per hour for `days` days before `end`, costing `usd(hourIndex)`. */
function hourly(end: Date, days: number, usd: (i: number) => number, extra: Partial<CallFact> = {}): CallFact[] {
  const start = end.getTime() - days * DAY;
  return Array.from({ length: days * 24 }, (_, i) => call(start + i * HOUR + 60_000, usd(i), extra));
}

describe('usage analytics', () => {
  describe('trends and breakdowns', () => {
    it('buckets by day, ISO week (named by its Monday) and month', () => {
      assert.equal(periodOf('2026-11-29T10:00:00Z', 'week'), '2026-11-23'); // a Sunday
      assert.equal(periodOf('2026-11-30T10:00:00Z', 'week'), '2026-11-30'); // a Monday
      assert.equal(periodOf('2026-12-04T23:59:59Z', 'month'), '2026-12');
      const calls = [
        call('2026-11-29T10:00:00Z', 1),
        call('2026-11-30T10:00:00Z', 2),
        call('2026-12-01T10:00:00Z', 4, { model: 'gpt-4o-mini' }),
        call('2026-12-01T11:00:00Z', null),
      ];
      assert.deepEqual(
        trend(calls, 'week').map((t) => [t.period, t.costUsd, t.calls, t.unpricedCalls]),
        [
          ['2026-11-23', 1, 1, 0],
          ['2026-11-30', 6, 3, 1],
        ],
      );
      assert.deepEqual(
        trend(calls, 'month').map((t) => [t.period, t.costUsd]),
        [
          ['2026-11', 3],
          ['2026-12', 4],
        ],
      );
      assert.deepEqual(
        breakdown(calls, 'model').map((b) => [b.key, b.costUsd, b.calls]),
        [
          ['openai/gpt-4o-mini', 4, 1],
          ['openai/gpt-4o', 3, 3],
        ],
      );
      assert.deepEqual(
        breakdown(calls, 'source').map((b) => b.key),
        ['corral'],
      );
    });

    it('prices container time: CPU-seconds and memory GB-hours between samples, gaps not billed', () => {
      const t0 = Date.parse('2026-12-01T00:00:00Z');
      const at = (s: number): string => new Date(t0 + s * 1000).toISOString();
      const samples = [
        { sessionId: 'a', user: 'ann', at: at(0), cpuPercent: 200, memoryBytes: 2 * 1024 ** 3 },
        { sessionId: 'a', user: 'ann', at: at(60), cpuPercent: 50, memoryBytes: 1024 ** 3 },
        { sessionId: 'a', user: 'ann', at: at(10_060), cpuPercent: 0, memoryBytes: 0 }, // after a 10,000 s gap
      ];
      const cost = infraCost(samples, DEFAULT_INFRA_RATES);
      assert.equal(cost.cpuSeconds, 2 * 60 + 0.5 * 120);
      assert.ok(Math.abs(cost.memoryGbHours - (2 * 60 + 1 * 120) / 3600) < 1e-12);
      assert.ok(Math.abs(cost.costUsd - ((180 / 3600) * 0.04048 + (240 / 3600) * 0.004445)) < 1e-12);
      assert.equal(cost.bySession.get('a')?.user, 'ann');
    });
  });

  describe('forecast', () => {
    it('is exact on a linear daily series (least squares chosen), with the interval around it', () => {
      const now = new Date('2026-12-15T00:00:00Z');
      const daily = new Map<string, number>();
      const spend = (ms: number): number => 2 + 0.5 * ((ms - Date.parse('2026-11-01T00:00:00Z')) / DAY);
      for (let t = Date.parse('2026-11-01T00:00:00Z'); t < now.getTime(); t += DAY) daily.set(new Date(t).toISOString().slice(0, 10), spend(t));
      let expected = 0;
      for (let t = Date.parse('2026-12-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += DAY) expected += spend(t);
      const f = forecastMonth(daily, now);
      assert.equal(f.method, 'least-squares');
      assert.ok(Math.abs(f.projectedUsd - expected) < 1e-6, `${f.projectedUsd} vs ${expected}`);
      assert.ok(f.lowUsd <= f.projectedUsd && f.projectedUsd <= f.highUsd);
      assert.equal(f.other?.method, 'damped-trend');
      assert.equal(f.remaining.length, 17);
      assert.deepEqual(leastSquares([1, 3, 5, 7]), { intercept: 1, slope: 2 });
    });

    it('prefers the damped trend when the pace changed, and carries the run rate forward with little history', () => {
      const now = new Date('2026-12-20T12:00:00Z');
      const daily = new Map<string, number>();
      // Flat at $1 for three weeks, then a jump to $5 a day that holds.
      for (let i = 28; i >= 1; i--) daily.set(new Date(now.getTime() - i * DAY).toISOString().slice(0, 10), i > 7 ? 1 : 5);
      const f = forecastMonth(daily, now);
      assert.equal(f.method, 'damped-trend');
      assert.ok(f.highUsd >= Math.max(f.projectedUsd, f.other!.projectedUsd));
      const young = forecastMonth(
        new Map([
          ['2026-12-19', 3],
          ['2026-12-20', 1],
        ]),
        now,
      );
      assert.equal(young.method, 'run-rate');
      assert.equal(young.spentUsd, 4);
    });

    it('measures the burn rate of the current window', () => {
      const now = new Date('2026-12-04T12:30:00Z');
      const rate = burnRate(
        new Map([
          ['2026-12-04T06', 4],
          ['2026-12-04T07', 2],
          ['2026-12-04T12', 1],
          ['2026-12-03T12', 100],
        ]),
        now,
        6,
      );
      // 06:30–07:00 is inside the window: half of the 06 hour's $4.
      assert.equal(rate.windowUsd, 2 + 2 + 1);
      assert.equal(rate.usdPerHour, 5 / 6);
    });
  });

  describe('alerts', () => {
    const now = new Date('2026-12-04T12:10:00Z');

    it('robust z-score: a flat baseline makes any rise infinite, MAD scales the rest', () => {
      assert.equal(robustZ(1, [1, 1, 1]).z, 0);
      assert.equal(robustZ(2, [1, 1, 1]).z, Infinity);
      assert.equal(robustZ(3, [1, 2, 3, 4, 5]).z, 0);
    });

    it('flags a planted spike of spend per user per hour, and nothing on a flat or gently noisy series', () => {
      assert.deepEqual(
        detectSpendSpikes(
          hourly(now, 8, () => 1.5),
          now,
          DEFAULT_ALERT_SETTINGS,
        ),
        [],
      );
      const noisy = hourly(now, 8, (i) => 1 + 0.3 * Math.sin(i * 1.7));
      assert.deepEqual(detectSpendSpikes(noisy, now, DEFAULT_ALERT_SETTINGS), []);
      const spiked = hourly(now, 8, (i) => (i === 8 * 24 - 3 ? 25 : 1 + 0.3 * Math.sin(i * 1.7)));
      const found = detectSpendSpikes([...spiked, ...hourly(now, 8, () => 1, { user: 'bob' })], now, DEFAULT_ALERT_SETTINGS);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.user, 'ann');
      assert.equal(found[0]!.key, 'spend-spike:ann:2026-12-04T09');
      assert.equal(found[0]!.evidence.spentUsd, 25);
      assert.equal(found[0]!.severity, 'critical');
      // Small spends never alert, however unusual.
      assert.deepEqual(
        detectSpendSpikes(
          hourly(now, 8, (i) => (i === 8 * 24 - 3 ? 0.5 : 0.01)),
          now,
          DEFAULT_ALERT_SETTINGS,
        ),
        [],
      );
    });

    it('fires the budget alert while the budget is not yet spent, naming the day it will be', () => {
      const at = new Date('2026-12-12T00:00:00Z');
      const daily = new Map<string, number>();
      for (let t = Date.parse('2026-11-14T00:00:00Z'); t < at.getTime(); t += DAY) daily.set(new Date(t).toISOString().slice(0, 10), 10);
      const forecast = forecastMonth(daily, at);
      assert.equal(forecast.spentUsd, 110);
      const found = detectBudgetCourse('ann', at, { monthUsd: 200 }, { forecast, spentTodayUsd: 0, burnUsdPerHour: 0 });
      assert.equal(found.length, 1);
      assert.equal(found[0]!.key, 'budget-course:ann:month:2026-12');
      assert.equal(found[0]!.evidence.reachedOn, '2026-12-21');
      assert.ok(Math.abs(Number(found[0]!.evidence.projectedUsd) - 310) < 1e-6);
      assert.deepEqual(detectBudgetCourse('ann', at, { monthUsd: 400 }, { forecast, spentTodayUsd: 0, burnUsdPerHour: 0 }), []);
      const day = detectBudgetCourse('ann', new Date('2026-12-12T10:00:00Z'), { dayUsd: 20 }, { forecast, spentTodayUsd: 8, burnUsdPerHour: 1 });
      assert.equal(day[0]?.evidence.hoursToBudget, 12);
    });

    it('notices a sudden switch of model, not a steady mix', () => {
      const base = hourly(new Date(now.getTime() - DAY), 7, () => 0.1);
      const switched = hourly(now, 1, () => 0.5, { provider: 'anthropic', model: 'claude-opus-4-1' });
      const found = detectModelSwitch([...base, ...switched], now, DEFAULT_ALERT_SETTINGS);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.evidence.from, 'openai/gpt-4o');
      assert.equal(found[0]!.evidence.to, 'anthropic/claude-opus-4-1');
      assert.equal(found[0]!.severity, 'critical');
      const mixed = hourly(now, 8, () => 0.1, {}).map((c, i) => (i % 2 ? { ...c, model: 'gpt-4o-mini' } : c));
      assert.deepEqual(detectModelSwitch(mixed, now, DEFAULT_ALERT_SETTINGS), []);
    });

    it('flags an hour of failing commands against the usual failure count', () => {
      const start = now.getTime() - 8 * DAY;
      const commands: CommandFact[] = [];
      for (let h = 0; h < 8 * 24; h++)
        for (let k = 0; k < 4; k++)
          commands.push({ at: new Date(start + h * HOUR + k * 60_000).toISOString(), user: 'ann', sessionId: 's1', command: 'make', failed: k === 0 && h % 3 === 0 });
      assert.deepEqual(detectFailingCommands(commands, now, DEFAULT_ALERT_SETTINGS), []);
      for (let k = 0; k < 12; k++)
        commands.push({ at: new Date(now.getTime() - 2 * HOUR + k * 1000).toISOString(), user: 'ann', sessionId: 's2', command: 'npm test', failed: true });
      const found = detectFailingCommands(commands, now, DEFAULT_ALERT_SETTINGS);
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]!.evidence.sessions, ['s2']);
      assert.deepEqual(found[0]!.evidence.topCommands, ['12× npm test']);
    });
  });
});
