import * as z from 'zod/mini';
import { CorralNotification, CorralRequest, IsoTime } from './base';

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
export const RUN_OUTCOMES = ['finished', 'stopped', 'max_steps', 'timeout', 'budget', 'error', 'interrupted'] as const;
export const RunOutcome = z.enum(RUN_OUTCOMES);
export type RunOutcome = z.infer<typeof RunOutcome>;

export const RunTokens = z.strictObject({
  calls: z.int(),
  inputTokens: z.int(),
  outputTokens: z.int(),
  cacheReadTokens: z.int(),
  cacheWriteTokens: z.int(),
  reasoningTokens: z.int(),
  estimatedCalls: z.int(),
});
export type RunTokens = z.infer<typeof RunTokens>;

/** What went wrong and what to do: a run's error. */
export const RunError = z.strictObject({ message: z.string(), hint: z.string() });

export const RunSummary = z.strictObject({
  runId: z.string(),
  sessionId: z.string(),
  outcome: RunOutcome,
  /** The model's summary, or what ended the run. */
  summary: z.string(),
  /** For error and budget outcomes: what happened and what to do. */
  error: z.optional(RunError),
  steps: z.int(),
  provider: z.string(),
  model: z.string(),
  /** The board task the run worked on, and how the board now shows it. */
  task: z.optional(z.strictObject({ id: z.string(), board: z.string(), status: z.string() })),
  /** Played back from a transcript: no model was called and nothing was spent. */
  replay: z.boolean(),
  tokens: RunTokens,
  /** Cost of the priced calls in USD; null when no call of the run had a known price. */
  costUsd: z.nullable(z.number()),
  unpricedCalls: z.int(),
  /** The session's branch (`corral/<id>`) and how to look at and take the work. */
  branch: z.nullable(z.string()),
  next: z.strictObject({ diff: z.string(), apply: z.string() }),
  startedAt: IsoTime,
  endedAt: IsoTime,
});
export type RunSummary = z.infer<typeof RunSummary>;

/** `agent/run`: runs the coding agent in a session's jail until it finishes or is stopped; progress as `agent/progress`. Cancelling the request stops the run. */
export const AgentRun = new CorralRequest('agent/run', AgentRunParams, RunSummary);

const AgentResumeParams = z.strictObject({ run: z.string().check(z.minLength(1), z.maxLength(64)) });
/**
 * `agent/resume`: continues an `interrupted` run of yours in its session, from its last completed
 * step, with the goal, provider and limits it was started with; answers as `agent/run` does (the
 * summary counts the steps and calls before the interruption too). A step in flight when the
 * daemon ended is done again. Refused for a run that ended otherwise, another user's run, or one
 * whose session is gone.
 */
export const AgentResume = new CorralRequest('agent/resume', AgentResumeParams, RunSummary);

/** One run as `agent/list` shows it. `outcome` null: running now. */
export const RunListEntry = z.strictObject({
  runId: z.string(),
  sessionId: z.string(),
  outcome: z.nullable(RunOutcome),
  /** Steps completed (for an interrupted run: the step it resumes after). */
  steps: z.int(),
  goal: z.string(),
  task: z.nullable(z.string()),
  provider: z.string(),
  model: z.string(),
  startedAt: IsoTime,
  endedAt: z.nullable(IsoTime),
});
export type RunListEntry = z.infer<typeof RunListEntry>;

const AgentListParams = z.strictObject({
  /** Only runs with this outcome (`interrupted`: the ones `agent/resume` can continue). */
  outcome: z.optional(RunOutcome),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
});
/** `agent/list`: your runs, newest first (default the last 20). */
export const AgentList = new CorralRequest('agent/list', AgentListParams, z.strictObject({ runs: z.array(RunListEntry) }));

const AgentStopParams = z.strictObject({ run: z.string().check(z.minLength(1), z.maxLength(64)) });
/** `agent/stop`: stops a running run of yours (from any client); its `agent/run` answers with outcome `stopped`. */
export const AgentStop = new CorralRequest('agent/stop', AgentStopParams, z.strictObject({ stopping: z.boolean() }));

/** What a run reports as it goes, tagged by `kind`. */
export const RunEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('started'), sessionId: z.string(), provider: z.string(), model: z.string(), replay: z.boolean(), resumedAfter: z.optional(z.int()) }),
  z.strictObject({
    kind: z.literal('model'),
    step: z.int(),
    text: z.string(),
    toolCalls: z.array(z.string()),
    costUsd: z.nullable(z.number()),
    estimated: z.boolean(),
    latencyMs: z.number(),
  }),
  z.strictObject({ kind: z.literal('tool'), step: z.int(), name: z.string(), arguments: z.string(), ok: z.boolean(), result: z.string(), durationMs: z.number() }),
  z.strictObject({ kind: z.literal('note'), step: z.int(), text: z.string() }),
  z.strictObject({ kind: z.literal('retry'), step: z.int(), status: z.int(), retryAfterS: z.nullable(z.number()) }),
  z.strictObject({ kind: z.literal('warning'), text: z.string() }),
  // The step is journaled (durable): a resume after this point starts at the next step.
  z.strictObject({ kind: z.literal('checkpoint'), step: z.int() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;

/** `agent/progress`: one event of a run, to the connection that started it. */
export const AgentProgress = new CorralNotification('agent/progress', z.strictObject({ runId: z.string(), event: RunEvent }));
