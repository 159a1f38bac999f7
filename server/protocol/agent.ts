import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

export const AgentRunParams = z.strictObject({
  /** What to do; with `task`, extra instructions on top of the task's own text. */
  prompt: z.optional(z.string().check(z.minLength(1), z.maxLength(100_000))),
  /** Work on this task of the board: claimed, its text and subtasks the goal, progress noted, closed at the end. */
  task: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** The board holding `task` (absolute path; default `<repo>/docs/TASKS.md`). */
  board: z.optional(z.string().check(z.minLength(2), z.maxLength(4096))),
  /** A session of yours to work in; without it a new session is started on `repo`. */
  session: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** Folder or repository for a new session (absolute path on the daemon's host). */
  repo: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  image: z.optional(z.string().check(z.maxLength(256))),
  /** A provider named in config.json, or `openai`, `anthropic`, `replay`. */
  provider: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  model: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** This run's budget in USD (else config.json's `budgets.runUsd`). */
  budgetUsd: z.optional(z.number().check(z.positive())),
  maxSteps: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
  timeoutS: z.optional(z.number().check(z.positive(), z.maximum(86_400))),
  /** Write the model's turns as they come to this file (absolute path): a transcript for `replay`. */
  record: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  /** With provider `replay`: the transcript to play back (absolute path). */
  transcript: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  persona: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type AgentRunParams = z.infer<typeof AgentRunParams>;

/**
 * finished: the model said it is done; the others say what stopped it. `interrupted`: the daemon
 * ended (crash, kill, restart) while the run was going; `agent/resume` continues it.
 */
export type RunOutcome = 'finished' | 'stopped' | 'max_steps' | 'timeout' | 'budget' | 'error' | 'interrupted';

export interface RunTokens {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  estimatedCalls: number;
}

export interface RunSummary {
  runId: string;
  sessionId: string;
  outcome: RunOutcome;
  /** The model's summary, or what ended the run. */
  summary: string;
  /** For error and budget outcomes: what happened and what to do. */
  error?: { message: string; hint: string };
  steps: number;
  provider: string;
  model: string;
  /** The board task the run worked on, and how the board now shows it. */
  task?: { id: string; board: string; status: string };
  /** Played back from a transcript: no model was called and nothing was spent. */
  replay: boolean;
  tokens: RunTokens;
  /** Cost of the priced calls in USD; null when no call of the run had a known price. */
  costUsd: number | null;
  unpricedCalls: number;
  /** The session's branch (`corral/<id>`) and how to look at and take the work. */
  branch: string | null;
  next: { diff: string; apply: string };
  startedAt: string;
  endedAt: string;
}

/** `agent/run`: runs the coding agent in a session's jail until it finishes or is stopped; progress as `agent/progress`. Cancelling the request stops the run. */
export const AgentRun = new CorralRequest<typeof AgentRunParams, RunSummary>('agent/run', AgentRunParams);

const AgentResumeParams = z.strictObject({ run: z.string().check(z.minLength(1), z.maxLength(64)) });
/**
 * `agent/resume`: continues an `interrupted` run of yours in its session, from its last completed
 * step, with the goal, provider and limits it was started with; answers as `agent/run` does (the
 * summary counts the steps and calls before the interruption too). A step in flight when the
 * daemon ended is done again. Refused for a run that ended otherwise, another user's run, or one
 * whose session is gone.
 */
export const AgentResume = new CorralRequest<typeof AgentResumeParams, RunSummary>('agent/resume', AgentResumeParams);

/** One run as `agent/list` shows it. `outcome` null: running now. */
export interface RunListEntry {
  runId: string;
  sessionId: string;
  outcome: RunOutcome | null;
  /** Steps completed (for an interrupted run: the step it resumes after). */
  steps: number;
  goal: string;
  task: string | null;
  provider: string;
  model: string;
  startedAt: string;
  endedAt: string | null;
}

const AgentListParams = z.strictObject({
  /** Only runs with this outcome (`interrupted`: the ones `agent/resume` can continue). */
  outcome: z.optional(z.enum(['finished', 'stopped', 'max_steps', 'timeout', 'budget', 'error', 'interrupted'])),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
});
/** `agent/list`: your runs, newest first (default the last 20). */
export const AgentList = new CorralRequest<typeof AgentListParams, { runs: RunListEntry[] }>('agent/list', AgentListParams);

const AgentStopParams = z.strictObject({ run: z.string().check(z.minLength(1), z.maxLength(64)) });
/** `agent/stop`: stops a running run of yours (from any client); its `agent/run` answers with outcome `stopped`. */
export const AgentStop = new CorralRequest<typeof AgentStopParams, { stopping: boolean }>('agent/stop', AgentStopParams);

/** What a run reports as it goes. */
export type RunEvent =
  | { kind: 'started'; sessionId: string; provider: string; model: string; replay: boolean; resumedAfter?: number }
  | { kind: 'model'; step: number; text: string; toolCalls: string[]; costUsd: number | null; estimated: boolean; latencyMs: number }
  | { kind: 'tool'; step: number; name: string; arguments: string; ok: boolean; result: string; durationMs: number }
  | { kind: 'note'; step: number; text: string }
  | { kind: 'retry'; step: number; status: number; retryAfterS: number | null }
  | { kind: 'warning'; text: string }
  /** The step is journaled (durable): a resume after this point starts at the next step. */
  | { kind: 'checkpoint'; step: number };

/** `agent/progress`: one event of a run, to the connection that started it. */
export const AgentProgress = new CorralNotification<{ runId: string; event: RunEvent }>('agent/progress');
