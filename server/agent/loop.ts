import { CorralError, describeError } from '../errors';
import { isAbort } from '../llm/errors';
import type { LlmPort, Message, ModelRequest, ModelTurn, ToolCall } from '../llm/types';
import type { RunEvent, RunOutcome } from '../protocol/agent';
import type { BudgetCheck } from './budget';
import { TOOL_SPECS, type ToolOutcome } from './tools';

export interface LoopDeps {
  llm: LlmPort;
  tools: { run(call: ToolCall, signal?: AbortSignal): Promise<ToolOutcome> };
  /** Before each model call: may the run afford its worst case? */
  beforeCall(request: ModelRequest): Promise<BudgetCheck>;
  /** After each call, answered or not: the ledger row. Returns what it cost (null = unknown). */
  account(
    request: ModelRequest,
    turn: ModelTurn | null,
    latencyMs: number,
    outcome: 'ok' | 'error' | 'cancelled' | 'budget',
  ): Promise<{ costUsd: number | null; estimated: boolean }>;
  emit(event: RunEvent): void;
  /** A `task_progress` note, for the task board. */
  note?(text: string): Promise<void>;
  /**
   * A step that the run goes on after is complete: its model turn and tool results (`added`, in
   * conversation order) are saved durably before the next model call. The run's last step is not
   * passed here: the run's outcome records it.
   */
  checkpoint?(step: number, added: Message[]): Promise<void>;
  now(): number;
}

export interface LoopOptions {
  goal: string;
  model: string;
  maxSteps: number;
  /** Epoch ms after which no new step starts and a running call is abandoned. */
  deadline: number;
  maxTokens: number;
  signal: AbortSignal;
  /** A resumed run: the conversation after the goal and the steps it holds (they count towards maxSteps). */
  history?: { steps: number; messages: Message[] };
}

export interface LoopResult {
  outcome: RunOutcome;
  steps: number;
  /** The model's own summary (finish), or what ended the run. */
  summary: string;
  error?: { message: string; hint: string };
}

export const SYSTEM_PROMPT = `You are a coding agent working in a jailed copy of a git repository at /workspace.
You have no network. Use the tools to inspect the code, make the change, and check it (run the tests or the program).
Prefer edit_file for small changes and write_file for new files. Keep changes focused on the goal.
Record notable progress with task_progress. When the goal is reached, or cannot be, call finish with a summary of what you changed and how you verified it.`;

/**
 * The agent loop: model → tool calls (in the jail) → results → model, until the model finishes,
 * the user stops it, or a step, time or budget limit is hit. Tool errors go back to the model;
 * provider failures end the run with what happened and what to do.
 */
export async function runLoop(deps: LoopDeps, options: LoopOptions): Promise<LoopResult> {
  const messages: Message[] = [{ role: 'user', text: options.goal }, ...(options.history?.messages ?? [])];
  const deadline = AbortSignal.timeout(Math.max(1, options.deadline - deps.now()));
  const signal = AbortSignal.any([options.signal, deadline]);
  const ended = (steps: number): LoopResult | undefined =>
    options.signal.aborted
      ? { outcome: 'stopped', steps, summary: 'stopped by the user' }
      : deadline.aborted
        ? { outcome: 'timeout', steps, summary: 'the time limit was reached' }
        : undefined;

  for (let step = (options.history?.steps ?? 0) + 1; step <= options.maxSteps; step++) {
    const early = ended(step - 1);
    if (early) return early;
    const request: ModelRequest = { model: options.model, system: SYSTEM_PROMPT, messages: [...messages], tools: TOOL_SPECS, maxTokens: options.maxTokens, signal };
    const budget = await deps.beforeCall(request);
    if (!budget.ok) {
      await deps.account(request, null, 0, 'budget');
      return { outcome: 'budget', steps: step - 1, summary: budget.message, error: { message: budget.message, hint: budget.hint } };
    }
    const started = deps.now();
    let turn: ModelTurn;
    try {
      turn = await deps.llm.complete(request, { retry: (status, retryAfterS) => deps.emit({ kind: 'retry', step, status, retryAfterS }) });
    } catch (error) {
      const aborted = isAbort(error) || signal.aborted;
      await deps.account(request, null, deps.now() - started, aborted ? 'cancelled' : 'error');
      if (aborted) return ended(step - 1) ?? { outcome: 'stopped', steps: step - 1, summary: 'stopped' };
      const failure = error instanceof CorralError ? { message: error.message, hint: error.hint } : { message: describeError(error), hint: 'see $CORRAL_HOME/logs/daemon.log' };
      return { outcome: 'error', steps: step - 1, summary: failure.message, error: failure };
    }
    const cost = await deps.account(request, turn, deps.now() - started, 'ok');
    messages.push({ role: 'assistant', text: turn.text, toolCalls: turn.toolCalls });
    deps.emit({
      kind: 'model',
      step,
      text: turn.text,
      toolCalls: turn.toolCalls.map((c) => c.name),
      costUsd: cost.costUsd,
      estimated: cost.estimated,
      latencyMs: deps.now() - started,
    });
    if (turn.toolCalls.length === 0) {
      return { outcome: 'finished', steps: step, summary: turn.text.trim() || `the model ended its turn (${turn.stopReason}) without a summary` };
    }
    let finished: string | undefined;
    const results = [];
    for (const call of turn.toolCalls) {
      if (signal.aborted) break;
      const toolStarted = deps.now();
      let outcome: ToolOutcome;
      try {
        outcome = await deps.tools.run(call, signal);
      } catch (error) {
        // Not the model's mistake (the jail went away, the store failed): the run cannot go on.
        const failure = error instanceof CorralError ? { message: error.message, hint: error.hint } : { message: describeError(error), hint: 'see $CORRAL_HOME/logs/daemon.log' };
        return { outcome: 'error', steps: step, summary: failure.message, error: failure };
      }
      results.push(outcome.result);
      deps.emit({
        kind: 'tool',
        step,
        name: call.name,
        arguments: call.arguments.slice(0, 300),
        ok: !outcome.result.isError,
        result: outcome.result.content.slice(0, 300),
        durationMs: deps.now() - toolStarted,
      });
      if (outcome.note !== undefined) {
        deps.emit({ kind: 'note', step, text: outcome.note });
        await deps.note?.(outcome.note);
      }
      if (outcome.finished !== undefined) finished = outcome.finished;
    }
    const stop = ended(step);
    if (stop) return stop;
    messages.push({ role: 'tool', results });
    if (finished !== undefined) return { outcome: 'finished', steps: step, summary: finished };
    await deps.checkpoint?.(step, messages.slice(-2));
  }
  return { outcome: 'max_steps', steps: options.maxSteps, summary: `stopped after ${options.maxSteps} steps (the step limit)` };
}
