import type { ImportRow, LedgerExportRow } from '../protocol/usage';
import type { Reader, Writer } from '../store/store';
import { appendEntry } from './ledger';
import type { Quote } from './prices';

/**
 * Adds rows read from another agent's logs to the ledger (and its daily roll-up), priced like
 * Corral's own calls and marked with their source. A row whose (source, external id) is already
 * in the ledger is skipped, so importing the same logs twice adds nothing.
 */
export function appendImported(
  w: Writer,
  user: string,
  source: string,
  rows: readonly { row: ImportRow; quote: Quote }[],
): { added: number; duplicates: number; unpriced: number; costUsd: number } {
  let added = 0;
  let unpriced = 0;
  let costUsd = 0;
  for (const { row, quote } of rows) {
    if (w.get('SELECT 1 AS seen FROM llm_calls WHERE source = ? AND external_id = ?', [source, row.externalId])) continue;
    appendEntry(w, {
      at: new Date(row.at),
      user,
      sessionId: row.session === null ? null : `${source}:${row.session}`,
      runId: null,
      task: null,
      persona: null,
      provider: row.provider,
      model: row.model,
      usage: {
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        cacheReadTokens: row.cacheReadTokens,
        cacheWriteTokens: row.cacheWriteTokens,
        reasoningTokens: row.reasoningTokens,
      },
      costUsd: quote.costUsd,
      priceVersion: quote.priceVersion,
      latencyMs: 0,
      outcome: 'ok',
      estimated: false,
      replay: false,
    });
    // The row just inserted has the largest id (ids only grow): deterministic when the journal replays it.
    w.run('UPDATE llm_calls SET source = ?, external_id = ? WHERE id = (SELECT MAX(id) FROM llm_calls)', [source, row.externalId]);
    added++;
    if (quote.costUsd === null) unpriced++;
    else costUsd += quote.costUsd;
  }
  return { added, duplicates: rows.length - added, unpriced, costUsd };
}

/** Ledger rows after `afterId`, in id order. */
export function exportRows(r: Reader, user: string | null, afterId: number, limit: number): LedgerExportRow[] {
  return r
    .all<{
      id: number;
      at: string;
      user: string;
      source: string | null;
      provider: string;
      model: string;
      session_id: string | null;
      task: string | null;
      persona: string | null;
      i: number;
      o: number;
      cr: number;
      cw: number;
      re: number;
      cost: number | null;
      price_version: string | null;
      outcome: string;
      estimated: number;
      replay: number;
    }>(
      `SELECT id, at, user, source, provider, model, session_id, task, persona, input_tokens AS i, output_tokens AS o, cache_read_tokens AS cr, cache_write_tokens AS cw,
         reasoning_tokens AS re, cost_usd AS cost, price_version, outcome, estimated, replay
       FROM llm_calls WHERE id > ?${user === null ? '' : ' AND user = ?'} ORDER BY id LIMIT ?`,
      user === null ? [afterId, limit] : [afterId, user, limit],
    )
    .map((c) => ({
      id: c.id,
      at: c.at,
      user: c.user,
      source: c.source ?? 'corral',
      provider: c.provider,
      model: c.model,
      sessionId: c.session_id,
      task: c.task,
      persona: c.persona,
      inputTokens: c.i,
      outputTokens: c.o,
      cacheReadTokens: c.cr,
      cacheWriteTokens: c.cw,
      reasoningTokens: c.re,
      costUsd: c.cost,
      priceVersion: c.price_version,
      outcome: c.outcome,
      estimated: c.estimated === 1,
      replay: c.replay === 1,
    }));
}
