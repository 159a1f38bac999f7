import * as z from 'zod/mini';
import { CorralError } from '../errors';
import type { LlmPort, Message } from '../llm/types';
import { ErrorCode, type RunListEntry, type RunOutcome, type RunTokens } from '../protocol';
import type { Reader, Writer } from '../store/store';

/**
 * The run journal: what a run needs to go on after the daemon that ran it is gone. The run's
 * parameters are kept with its row; each completed step (model turn + tool results) is one row of
 * `agent_run_steps`, written in one durable write with the run's step count. The ledger rows of
 * the run's calls (`llm_calls.run_id`) are its totals, so a resumed run counts every call once.
 */

const ToolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
const StoredMessage = z.union([
  z.object({ role: z.literal('user'), text: z.string() }),
  z.object({ role: z.literal('assistant'), text: z.string(), toolCalls: z.array(ToolCall) }),
  z.object({ role: z.literal('tool'), results: z.array(z.object({ id: z.string(), content: z.string(), isError: z.boolean() })) }),
]);
const StoredMessages = z.array(StoredMessage);

/** The parameters a run was started with, as resume needs them (the goal already resolved). */
export const StoredRunParams = z.object({
  goal: z.string(),
  provider: z.optional(z.string()),
  model: z.optional(z.string()),
  budgetUsd: z.optional(z.number()),
  maxSteps: z.optional(z.number()),
  timeoutS: z.optional(z.number()),
  transcript: z.optional(z.string()),
  record: z.optional(z.string()),
  persona: z.optional(z.string()),
  /** The board of a task run (the task id is the row's `task`). */
  board: z.optional(z.string()),
});
export type StoredRunParams = z.infer<typeof StoredRunParams>;

export interface RunRow {
  id: string;
  user: string;
  session_id: string;
  task: string | null;
  persona: string | null;
  provider: string;
  model: string;
  goal: string;
  outcome: string | null;
  steps: number;
  started_at: string;
  ended_at: string | null;
  params: string | null;
  [column: string]: string | number | null;
}

export function runRow(r: Reader, runId: string): RunRow | undefined {
  return r.get<RunRow>('SELECT * FROM agent_runs WHERE id = ?', [runId]);
}

/** Saves a completed step: its messages and the run's step count, in the caller's write. */
export function journalStep(w: Writer, runId: string, step: number, at: string, added: readonly Message[]): void {
  w.run('INSERT INTO agent_run_steps (run_id, step, at, messages) VALUES (?, ?, ?, ?)', [runId, step, at, JSON.stringify(added)]);
  w.run('UPDATE agent_runs SET steps = ? WHERE id = ?', [step, runId]);
}

/**
 * The conversation after the goal, as the completed steps left it. Steps are 1..n without a gap
 * (each is written only after the one before); anything else is a damaged journal, refused
 * rather than resumed into a conversation the model never had.
 */
export function loadHistory(r: Reader, runId: string): { steps: number; messages: Message[] } {
  const rows = r.all<{ step: number; messages: string }>('SELECT step, messages FROM agent_run_steps WHERE run_id = ? ORDER BY step', [runId]);
  const messages: Message[] = [];
  rows.forEach((row, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.messages);
    } catch {
      parsed = undefined;
    }
    const checked = StoredMessages.safeParse(parsed);
    if (row.step !== index + 1 || !checked.success) {
      throw new CorralError(
        ErrorCode.Conflict,
        `the journal of run ${runId} is damaged at step ${row.step}`,
        'start a new run in the same session: its work so far is in the session',
      );
    }
    messages.push(...checked.data);
  });
  return { steps: rows.length, messages };
}

export function parseRunParams(row: RunRow): StoredRunParams | undefined {
  if (row.params === null) return undefined;
  try {
    const parsed = StoredRunParams.safeParse(JSON.parse(row.params));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs with no outcome when a daemon starts were being run by a daemon that is gone: they are
 * `interrupted` (resumable), never left looking as if they still ran. Returns how many.
 */
export function interruptOrphans(w: Writer, at: string): number {
  return w.run("UPDATE agent_runs SET outcome = 'interrupted', ended_at = ? WHERE outcome IS NULL", [at]).changes;
}

/** Claims an interrupted run for a resume; false when it is not (or no longer) interrupted. */
export function claimInterrupted(w: Writer, runId: string): boolean {
  return w.run("UPDATE agent_runs SET outcome = NULL, ended_at = NULL WHERE id = ? AND outcome = 'interrupted'", [runId]).changes === 1;
}

/** What the run's calls so far cost and used, from the ledger: each call once. */
export function ledgerTotals(r: Reader, runId: string): { tokens: RunTokens; costUsd: number; pricedCalls: number; unpricedCalls: number } {
  const row = r.get<Record<string, number | null>>(
    `SELECT COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cache_read_tokens) AS cache_read,
       SUM(cache_write_tokens) AS cache_write, SUM(reasoning_tokens) AS reasoning, SUM(estimated) AS estimated,
       SUM(COALESCE(cost_usd, 0)) AS cost, SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced
     FROM llm_calls WHERE run_id = ?`,
    [runId],
  );
  const n = (key: string): number => Number(row?.[key] ?? 0);
  return {
    tokens: {
      calls: n('calls'),
      inputTokens: n('input'),
      outputTokens: n('output'),
      cacheReadTokens: n('cache_read'),
      cacheWriteTokens: n('cache_write'),
      reasoningTokens: n('reasoning'),
      estimatedCalls: n('estimated'),
    },
    costUsd: n('cost'),
    pricedCalls: n('calls') - n('unpriced'),
    unpricedCalls: n('unpriced'),
  };
}

const OUTCOMES: readonly RunOutcome[] = ['finished', 'stopped', 'max_steps', 'timeout', 'budget', 'error', 'interrupted'];

/** `user`'s runs, newest first. */
export function listRuns(r: Reader, user: string, options: { outcome?: RunOutcome; limit?: number }): RunListEntry[] {
  const rows = r.all<RunRow>(`SELECT * FROM agent_runs WHERE user = ? ${options.outcome === undefined ? '' : 'AND outcome = ?'} ORDER BY started_at DESC, id LIMIT ?`, [
    user,
    ...(options.outcome === undefined ? [] : [options.outcome]),
    options.limit ?? 20,
  ]);
  return rows.map((row) => ({
    runId: row.id,
    sessionId: row.session_id,
    outcome: OUTCOMES.find((o) => o === row.outcome) ?? null,
    steps: row.steps,
    goal: row.goal.slice(0, 300),
    task: row.task,
    provider: row.provider,
    model: row.model,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  }));
}

/**
 * A replayed run resumes at the transcript turn after its completed steps (one turn per step):
 * the earlier turns are taken from the player (in memory, nothing is called) so the next call
 * gets the turn its step needs.
 */
export async function skipReplayedTurns(llm: LlmPort, turns: number, model: string): Promise<void> {
  for (let i = 0; i < turns; i++) await llm.complete({ model, system: '', messages: [], tools: [], maxTokens: 1 });
}
