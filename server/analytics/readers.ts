import type { Reader } from '../store/store';
import type { CallFact, CommandFact, SampleFact } from './rows';

/** Everyone (null) or one user, as a SQL condition and its parameters. */
function whose(user: string | null, column = 'user'): { sql: string; params: string[] } {
  return user === null ? { sql: '', params: [] } : { sql: ` AND ${column} = ?`, params: [user] };
}

/** The model calls in `[from, to)` that cost something or could have (replays are left out). */
export function readCalls(r: Reader, user: string | null, from: string, to: string): CallFact[] {
  const u = whose(user);
  return r
    .all<{
      at: string;
      user: string;
      provider: string;
      model: string;
      session_id: string | null;
      task: string | null;
      persona: string | null;
      source: string | null;
      i: number;
      o: number;
      cr: number;
      cw: number;
      re: number;
      cost: number | null;
    }>(
      `SELECT at, user, provider, model, session_id, task, persona, source, input_tokens AS i, output_tokens AS o, cache_read_tokens AS cr,
         cache_write_tokens AS cw, reasoning_tokens AS re, cost_usd AS cost
       FROM llm_calls WHERE at >= ? AND at < ? AND replay = 0${u.sql}`,
      [from, to, ...u.params],
    )
    .map((c) => ({
      at: c.at,
      user: c.user,
      provider: c.provider,
      model: c.model,
      sessionId: c.session_id,
      task: c.task,
      persona: c.persona,
      source: c.source,
      inputTokens: c.i,
      outputTokens: c.o,
      cacheReadTokens: c.cr,
      cacheWriteTokens: c.cw,
      reasoningTokens: c.re,
      costUsd: c.cost,
    }));
}

/** Spend per UTC day from `fromDay` on, from the daily roll-up. */
export function readDailyCost(r: Reader, user: string | null, fromDay: string): Map<string, number> {
  const u = whose(user);
  const rows = r.all<{ day: string; cost: number }>(`SELECT day, SUM(cost_usd) AS cost FROM usage_daily WHERE day >= ? AND replay = 0${u.sql} GROUP BY day`, [
    fromDay,
    ...u.params,
  ]);
  return new Map(rows.map((row) => [row.day, row.cost]));
}

/** Spend per UTC hour (`YYYY-MM-DDTHH`) from `from` on. */
export function readHourlyCost(r: Reader, user: string | null, from: string): Map<string, number> {
  const u = whose(user);
  const rows = r.all<{ hour: string; cost: number }>(
    `SELECT substr(at, 1, 13) AS hour, SUM(COALESCE(cost_usd, 0)) AS cost FROM llm_calls WHERE at >= ? AND replay = 0${u.sql} GROUP BY 1`,
    [from, ...u.params],
  );
  return new Map(rows.map((row) => [row.hour, row.cost]));
}

/** Users with model calls or commands since `from`. */
export function activeUsers(r: Reader, from: string): string[] {
  return r
    .all<{ user: string }>('SELECT DISTINCT user FROM llm_calls WHERE at >= ? AND replay = 0 UNION SELECT DISTINCT user FROM commands WHERE started_at >= ?', [from, from])
    .map((row) => row.user)
    .sort();
}

export function readCommands(r: Reader, user: string | null, from: string, to: string): CommandFact[] {
  const u = whose(user);
  return r
    .all<{ at: string; user: string; session_id: string; command: string; failed: number }>(
      `SELECT started_at AS at, user, session_id, command, CASE WHEN exit_code != 0 OR timed_out = 1 THEN 1 ELSE 0 END AS failed
       FROM commands WHERE started_at >= ? AND started_at < ?${u.sql}`,
      [from, to, ...u.params],
    )
    .map((c) => ({ at: c.at, user: c.user, sessionId: c.session_id, command: c.command, failed: c.failed === 1 }));
}

/** Container samples in `[from, to)`, with the session's owner ('' once the session is gone). */
export function readSamples(r: Reader, user: string | null, from: string, to: string): SampleFact[] {
  const u = whose(user, 's.owner');
  return r
    .all<{ session_id: string; owner: string | null; at: string; cpu: number; mem: number }>(
      `SELECT r.session_id, s.owner, r.at, r.cpu_percent AS cpu, r.memory_bytes AS mem
       FROM resource_samples r LEFT JOIN sessions s ON s.id = r.session_id WHERE r.at >= ? AND r.at < ?${u.sql}`,
      [from, to, ...u.params],
    )
    .map((s) => ({ sessionId: s.session_id, user: s.owner ?? '', at: s.at, cpuPercent: s.cpu, memoryBytes: s.mem }));
}
