import type { UsageSums } from '../protocol/usage';
import type { CallFact } from './rows';

export type Period = 'day' | 'week' | 'month';
export const DIMENSIONS = ['model', 'provider', 'user', 'persona', 'task', 'session', 'source'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Sums of one bucket or group, as the protocol reports them. */
export type Totals = UsageSums;

export function emptyTotals(): Totals {
  return { calls: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

export function addCall(t: Totals, c: CallFact): void {
  t.calls++;
  t.inputTokens += c.inputTokens;
  t.cacheReadTokens += c.cacheReadTokens;
  t.cacheWriteTokens += c.cacheWriteTokens;
  t.outputTokens += c.outputTokens;
  t.reasoningTokens += c.reasoningTokens;
  if (c.costUsd === null) t.unpricedCalls++;
  else t.costUsd += c.costUsd;
}

/**
 * The bucket an ISO time falls in: the day, the Monday that starts its ISO week (weeks are
 * compared across month ends, so a week is named by its first day), or the month.
 */
export function periodOf(at: string, period: Period): string {
  if (period === 'day') return at.slice(0, 10);
  if (period === 'month') return at.slice(0, 7);
  const day = new Date(`${at.slice(0, 10)}T00:00:00Z`);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

/** Totals per day, week or month, oldest first. */
export function trend(calls: readonly CallFact[], period: Period): (Totals & { period: string })[] {
  const buckets = new Map<string, Totals>();
  for (const c of calls) {
    const key = periodOf(c.at, period);
    let t = buckets.get(key);
    if (!t) buckets.set(key, (t = emptyTotals()));
    addCall(t, c);
  }
  return [...buckets].sort(([a], [b]) => a.localeCompare(b)).map(([p, t]) => ({ period: p, ...t }));
}

export function keyOf(c: CallFact, by: Dimension): string {
  switch (by) {
    case 'model':
      return `${c.provider}/${c.model}`;
    case 'provider':
      return c.provider;
    case 'user':
      return c.user;
    case 'persona':
      return c.persona ?? '';
    case 'task':
      return c.task ?? '';
    case 'session':
      return c.sessionId ?? '';
    case 'source':
      return c.source ?? 'corral';
  }
}

/** Totals per model, provider, user, persona, task, session or source; most expensive first. */
export function breakdown(calls: readonly CallFact[], by: Dimension): (Totals & { key: string })[] {
  const groups = new Map<string, Totals>();
  for (const c of calls) {
    const key = keyOf(c, by);
    let t = groups.get(key);
    if (!t) groups.set(key, (t = emptyTotals()));
    addCall(t, c);
  }
  return [...groups].map(([key, t]) => ({ key, ...t })).sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls || a.key.localeCompare(b.key));
}

export function total(calls: readonly CallFact[]): Totals {
  const t = emptyTotals();
  for (const c of calls) addCall(t, c);
  return t;
}
