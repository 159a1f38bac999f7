import type { Reader } from '../store/store';

import type { USAGE_GROUPS, UsageTotals } from '../protocol/usage';

export type UsageGroup = (typeof USAGE_GROUPS)[number];
export interface UsageRow extends UsageTotals {
  key: string;
}

/** Per group: the column in the daily roll-up and the expression over raw ledger rows. */
const KEYS: Record<UsageGroup, { daily: string; raw: string }> = {
  day: { daily: 'day', raw: 'substr(at, 1, 10)' },
  model: { daily: "provider || '/' || model", raw: "provider || '/' || model" },
  provider: { daily: 'provider', raw: 'provider' },
  user: { daily: 'user', raw: 'user' },
  session: { daily: 'session_id', raw: "COALESCE(session_id, '')" },
  persona: { daily: 'persona', raw: "COALESCE(persona, '')" },
  task: { daily: 'task', raw: "COALESCE(task, '')" },
};

const DAILY_SUMS = `SUM(calls) AS calls, SUM(estimated_calls) AS estimatedCalls, SUM(CASE WHEN replay = 1 THEN calls ELSE 0 END) AS replayCalls,
  SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens, SUM(cache_read_tokens) AS cacheReadTokens,
  SUM(cache_write_tokens) AS cacheWriteTokens, SUM(reasoning_tokens) AS reasoningTokens, SUM(cost_usd) AS costUsd, SUM(unpriced_calls) AS unpricedCalls`;
const RAW_SUMS = `COUNT(*) AS calls, SUM(estimated) AS estimatedCalls, SUM(replay) AS replayCalls,
  SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens, SUM(cache_read_tokens) AS cacheReadTokens,
  SUM(cache_write_tokens) AS cacheWriteTokens, SUM(reasoning_tokens) AS reasoningTokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
  SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpricedCalls`;

/**
 * Totals and a breakdown of the ledger since `since`, for one user or (null) everyone. Whole days
 * come from the daily roll-up, the part of the first day after `since` from the raw rows, so the
 * answer is exact and costs about the same for a million rows as for a hundred.
 */
export function queryUsage(r: Reader, options: { user: string | null; since: Date; by: UsageGroup }): { rows: UsageRow[]; total: UsageTotals } {
  const since = options.since.toISOString();
  const midnight = since.endsWith('T00:00:00.000Z') ? since : new Date(Date.parse(since.slice(0, 10)) + 86_400_000).toISOString();
  const firstFullDay = midnight.slice(0, 10);
  const key = KEYS[options.by];
  const userFilter = options.user === null ? '' : ' AND user = ?';
  const userParam = options.user === null ? [] : [options.user];
  const daily = r.all<UsageRow & Record<string, number | string>>(`SELECT ${key.daily} AS key, ${DAILY_SUMS} FROM usage_daily WHERE day >= ?${userFilter} GROUP BY 1`, [
    firstFullDay,
    ...userParam,
  ]);
  const raw =
    since < midnight
      ? r.all<UsageRow & Record<string, number | string>>(`SELECT ${key.raw} AS key, ${RAW_SUMS} FROM llm_calls WHERE at >= ? AND at < ?${userFilter} GROUP BY 1`, [
          since,
          midnight,
          ...userParam,
        ])
      : [];
  const merged = new Map<string, UsageRow>();
  for (const row of [...raw, ...daily]) {
    const existing = merged.get(row.key);
    merged.set(row.key, existing ? { ...add(existing, row), key: row.key } : { ...add(zero(), row), key: row.key });
  }
  const rows = [...merged.values()].sort((a, b) => (options.by === 'day' ? a.key.localeCompare(b.key) : b.costUsd - a.costUsd || b.calls - a.calls));
  return { rows, total: rows.reduce<UsageTotals>((sum, row) => add(sum, row), zero()) };
}

function zero(): UsageTotals {
  return {
    calls: 0,
    estimatedCalls: 0,
    replayCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
  };
}

function add(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    calls: a.calls + Number(b.calls),
    estimatedCalls: a.estimatedCalls + Number(b.estimatedCalls),
    replayCalls: a.replayCalls + Number(b.replayCalls),
    inputTokens: a.inputTokens + Number(b.inputTokens),
    outputTokens: a.outputTokens + Number(b.outputTokens),
    cacheReadTokens: a.cacheReadTokens + Number(b.cacheReadTokens),
    cacheWriteTokens: a.cacheWriteTokens + Number(b.cacheWriteTokens),
    reasoningTokens: a.reasoningTokens + Number(b.reasoningTokens),
    costUsd: a.costUsd + Number(b.costUsd),
    unpricedCalls: a.unpricedCalls + Number(b.unpricedCalls),
  };
}

/** `7d`, `24h`, `30m` or an ISO date/time → the moment it names, before `now`. */
export function parseSince(text: string, now: Date): Date | undefined {
  const relative = /^(\d+)([dhm])$/.exec(text);
  if (relative) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const absolute = Date.parse(text);
  return /^\d{4}-\d\d-\d\d/.test(text) && Number.isFinite(absolute) ? new Date(absolute) : undefined;
}
