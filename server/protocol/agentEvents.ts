import * as z from 'zod/mini';
import { RunError, RunEvent, RunOutcome, RunTokens } from './agent';
import { CorralNotification, CorralRequest } from './base';

// `agent/progress` reaches only the connection that called `agent/run`. A run started by the CLI
// must still show up live in VS Code (and the other way round), so every change of a run is also
// broadcast to all of its owner's connections, as `session/changed` is.

/**
 * One run as it is now, with the event that changed it. Sent on every event of the run and once
 * more at its end (with `outcome` set and no `event`).
 */
export const AgentChange = z.strictObject({
  runId: z.string(),
  sessionId: z.string(),
  provider: z.string(),
  model: z.string(),
  /** What the run was asked (for a task run: the task's goal), cut to 300 characters. */
  goal: z.string(),
  task: z.nullable(z.string()),
  startedAt: z.string(),
  /** Null while running. */
  endedAt: z.nullable(z.string()),
  /** Steps completed so far. */
  steps: z.int(),
  /** The run's calls so far, as the ledger has them. */
  tokens: RunTokens,
  /** Cost of its priced calls so far in USD; null when no call had a known price. */
  costUsd: z.nullable(z.number()),
  /** Null while running. */
  outcome: z.nullable(RunOutcome),
  /** At the end: the model's summary, or what ended the run. */
  summary: z.nullable(z.string()),
  error: z.optional(RunError),
  /** The event that made this change; absent in the final change. */
  event: z.optional(RunEvent),
});
export type AgentChange = z.infer<typeof AgentChange>;

/** `agent/changed`: a run of yours changed (whichever client started it); sent to all your connections. */
export const AgentChanged = new CorralNotification('agent/changed', AgentChange);

/** One completed step of a run, from its journal: the model's text and its tool calls with their results. */
export const RunStep = z.strictObject({
  step: z.int(),
  text: z.string(),
  tools: z.array(z.strictObject({ name: z.string(), arguments: z.string(), ok: z.boolean(), result: z.string() })),
});
export type RunStep = z.infer<typeof RunStep>;

export const AgentStepsParams = z.strictObject({ run: z.string().check(z.minLength(1), z.maxLength(64)) });

/**
 * `agent/steps`: the completed steps of a run of yours, as journaled (texts and results cut to 300
 * characters), so a client that was not watching can show them. Another user's run is not found.
 */
export const AgentSteps = new CorralRequest('agent/steps', AgentStepsParams, z.strictObject({ runId: z.string(), steps: z.array(RunStep) }));
