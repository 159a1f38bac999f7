import type { Usage } from '../llm/types';
import type { Reader, Store, Writer } from '../store/store';

export type CallOutcome = 'ok' | 'error' | 'cancelled' | 'budget';

/** One model call, as the ledger keeps it. */
export interface LedgerEntry {
  at: Date;
  user: string;
  sessionId: string | null;
  runId: string | null;
  task: string | null;
  persona: string | null;
  provider: string;
  model: string;
  usage: Usage;
  /** Null: no price known for the model (reported as unknown, never as 0). */
  costUsd: number | null;
  priceVersion: string | null;
  latencyMs: number;
  outcome: CallOutcome;
  /** The provider reported no usage; the tokens were counted with a tokenizer. */
  estimated: boolean;
  replay: boolean;
}

/**
 * The token ledger: one append-only row per model call, and in the same durable transaction the
 * day's roll-up that budgets and `corral usage` read.
 */
export class Ledger {
  /** `appended` hears of each durable row (the usage analytics tell the user's clients). */
  constructor(
    private readonly store: Store,
    private readonly appended?: (user: string) => void,
  ) {}

  async append(entry: LedgerEntry): Promise<void> {
    await this.store.write((w) => appendEntry(w, entry));
    this.appended?.(entry.user);
  }

  /** What `user` has spent today and this month (UTC), priced calls only. */
  spent(user: string, now: Date): { day: number; month: number } {
    const day = now.toISOString().slice(0, 10);
    const month = `${day.slice(0, 7)}-01`;
    return this.store.read((r) => spentSince(r, user, day, month));
  }
}

export function appendEntry(w: Writer, e: LedgerEntry): void {
  const u = e.usage;
  const at = e.at.toISOString();
  w.run(
    `INSERT INTO llm_calls (at, user, session_id, run_id, task, persona, provider, model, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, price_version, latency_ms, outcome, estimated, replay)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      at,
      e.user,
      e.sessionId,
      e.runId,
      e.task,
      e.persona,
      e.provider,
      e.model,
      u.inputTokens,
      u.outputTokens,
      u.cacheReadTokens,
      u.cacheWriteTokens,
      u.reasoningTokens,
      e.costUsd,
      e.priceVersion,
      e.latencyMs,
      e.outcome,
      e.estimated ? 1 : 0,
      e.replay ? 1 : 0,
    ],
  );
  w.run(
    `INSERT INTO usage_daily (day, user, provider, model, session_id, task, persona, replay, calls, estimated_calls, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, unpriced_calls)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, user, provider, model, session_id, task, persona, replay) DO UPDATE SET
       calls = calls + 1, estimated_calls = estimated_calls + excluded.estimated_calls,
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
       reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_usd = cost_usd + excluded.cost_usd,
       unpriced_calls = unpriced_calls + excluded.unpriced_calls`,
    [
      at.slice(0, 10),
      e.user,
      e.provider,
      e.model,
      e.sessionId ?? '',
      e.task ?? '',
      e.persona ?? '',
      e.replay ? 1 : 0,
      e.estimated ? 1 : 0,
      u.inputTokens,
      u.outputTokens,
      u.cacheReadTokens,
      u.cacheWriteTokens,
      u.reasoningTokens,
      e.costUsd ?? 0,
      e.costUsd === null ? 1 : 0,
    ],
  );
}

function spentSince(r: Reader, user: string, day: string, month: string): { day: number; month: number } {
  const row = r.get<{ day: number | null; month: number | null }>(
    `SELECT SUM(CASE WHEN day >= ? THEN cost_usd ELSE 0 END) AS day, SUM(cost_usd) AS month
     FROM usage_daily WHERE user = ? AND day >= ? AND replay = 0`,
    [day, user, month],
  );
  return { day: row?.day ?? 0, month: row?.month ?? 0 };
}
