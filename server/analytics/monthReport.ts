import type { UsageGroupTotals, UsageMonthReport } from '../protocol/usage';
import type { Reader } from '../store/store';
import { listAlerts, midMonthForecast } from './alertStore';
import { infraCost, type InfraRates } from './infra';
import { readCalls, readSamples } from './readers';
import { breakdown, total, trend } from './trends';

/** The monthly review of `month` (`YYYY-MM`) for one user or everyone. */
export function monthReport(r: Reader, user: string | null, month: string, rates: InfraRates): UsageMonthReport {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(year, m - 1, 1)).toISOString();
  const to = new Date(Date.UTC(year, m, 1)).toISOString();
  const calls = readCalls(r, user, from, to);
  const sum = total(calls);
  const infra = infraCost(readSamples(r, user, from, to), rates);
  const planned = midMonthForecast(r, user, month);
  const named = (rows: UsageGroupTotals[]): UsageGroupTotals[] => rows.filter((row) => row.key !== '').slice(0, 10);
  return {
    month,
    users: [...new Set(calls.map((c) => c.user))].sort(),
    total: sum,
    tokens: {
      input: sum.inputTokens - sum.cacheReadTokens - sum.cacheWriteTokens,
      cached: sum.cacheReadTokens,
      cacheWrite: sum.cacheWriteTokens,
      output: sum.outputTokens,
      reasoning: sum.reasoningTokens,
    },
    weeks: trend(calls, 'week'),
    byModel: breakdown(calls, 'model'),
    bySource: breakdown(calls, 'source'),
    byUser: breakdown(calls, 'user'),
    topTasks: named(breakdown(calls, 'task')),
    topSessions: named(breakdown(calls, 'session')),
    infrastructure: {
      cpuSeconds: infra.cpuSeconds,
      memoryGbHours: infra.memoryGbHours,
      costUsd: infra.costUsd,
      rates: { cpuHourUsd: rates.cpuHourUsd, memoryGbHourUsd: rates.memoryGbHourUsd },
    },
    alerts: listAlerts(r, { user, includeAcked: true, from, to }),
    forecastVsActual:
      planned === null
        ? null
        : {
            ...planned,
            actualUsd: sum.costUsd,
            errorPct: sum.costUsd > 0 ? ((planned.projectedUsd - sum.costUsd) / sum.costUsd) * 100 : null,
            withinInterval: planned.lowUsd <= sum.costUsd + 1e-9 && sum.costUsd <= planned.highUsd + 1e-9,
          },
  };
}
