import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { readConfig } from '../config';
import { CorralError } from '../errors';
import { countRequestTokens, estimateUsage } from '../ledger/estimate';
import type { Ledger } from '../ledger/ledger';
import { PriceTable, type Quote } from '../ledger/prices';
import { resolveProvider } from '../llm/providers';
import type { ModelRequest, ModelTurn, Usage } from '../llm/types';
import type { Clock } from '../ports/clock';
import { ErrorCode, type AgentRunParams, type RunEvent, type RunSummary, type RunTokens, type SessionInfo } from '../protocol';
import type { SessionService } from '../sessions/service';
import type { Store } from '../store/store';
import type { Caller, TasksService } from '../tasks/service';
import { budgetWarnings, checkBudgets, usd, type Budgets } from './budget';
import { runLoop } from './loop';
import { Toolbox } from './tools';

export interface AgentDeps {
  store: Store;
  sessions: SessionService;
  ledger: Ledger;
  clock: Clock;
  configFile: string;
  /** The daemon's environment: where API keys come from. Never passed into a jail. */
  env: NodeJS.ProcessEnv;
  tasks: TasksService;
}

/** The board task a run works on. */
interface TaskRun {
  id: string;
  board: string;
  goal: string;
}

const DEFAULTS = { maxSteps: 50, timeoutS: 1800, maxTokensPerCall: 8192 };

/** Runs the coding agent in sessions' jails, accounts for every call, and keeps the runs. */
export class AgentService {
  private readonly running = new Map<string, { owner: string; controller: AbortController }>();

  constructor(private readonly deps: AgentDeps) {}

  async run(owner: string, params: AgentRunParams, emit: (runId: string, event: RunEvent) => void, signal: AbortSignal, isDaemonOwner = false): Promise<RunSummary> {
    const caller = { user: owner, owner: isDaemonOwner };
    const config = readConfig(this.deps.configFile);
    if (params.prompt === undefined && params.task === undefined) throw new CorralError(ErrorCode.InvalidParams, 'a run needs a goal', 'give --prompt "…" or --task ID');
    const known = params.session === undefined ? undefined : this.deps.sessions.show(owner, params.session).session;
    // The task is read (and must exist) before anything is started for it.
    const task = params.task === undefined ? undefined : this.taskGoal(caller, params, known);
    const goal = task?.goal ?? params.prompt!;
    const provider = resolveProvider(config, { ...params, goal }, this.deps.env);
    try {
      const session = known ?? (await this.sessionFor(owner, params));
      if (task) await this.deps.tasks.update(caller, { board: task.board, id: task.id, action: 'start' });
      const runId = randomBytes(5).toString('hex');
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      signal.addEventListener('abort', stop, { once: true });
      this.running.set(runId, { owner, controller });
      try {
        const summary = await this.execute(caller, runId, session, { ...params, prompt: goal }, provider, config, (event) => emit(runId, event), controller.signal, task);
        return task ? { ...summary, task: await this.closeTask(caller, task, summary, config.agent?.taskDoneStatus ?? 'done') } : summary;
      } finally {
        signal.removeEventListener('abort', stop);
        this.running.delete(runId);
      }
    } finally {
      provider.close();
    }
  }

  /** The goal from the board: the task's text, its subtasks, and any extra instructions. */
  private taskGoal(caller: Caller, params: AgentRunParams, session: SessionInfo | undefined): TaskRun {
    const repo = params.repo ?? session?.repoRoot ?? session?.repo ?? undefined;
    const board = params.board ?? (repo === undefined ? undefined : path.join(repo, 'docs', 'TASKS.md'));
    if (board === undefined) throw new CorralError(ErrorCode.InvalidParams, 'cannot tell which board holds the task', 'pass --board FILE or run it inside the repository');
    const shown = this.deps.tasks.show(caller, board, params.task!);
    const subtasks = shown.subtasks.map((t) => `- [${t.status === 'done' ? 'x' : ' '}] ${t.id} ${t.title}`).join('\n');
    const goal = [
      `Work on task ${shown.task.id} of the task board ${path.basename(board)}: ${shown.task.title}`,
      subtasks ? `Its subtasks:\n${subtasks}` : '',
      `The task as written on the board:\n${shown.source}`,
      params.prompt ? `Further instructions: ${params.prompt}` : '',
      'Use task_progress to note what you did as you go; call finish when the task is done or cannot be.',
    ]
      .filter((part) => part !== '')
      .join('\n\n');
    return { id: shown.task.id, board, goal };
  }

  /** At the end of a task run: done (or review) with the outcome, cost and branch; else left in progress, saying why. */
  private async closeTask(caller: Caller, task: TaskRun, s: RunSummary, doneStatus: 'done' | 'review'): Promise<{ id: string; board: string; status: string }> {
    const cost = s.replay ? 'replayed, nothing spent' : s.costUsd === null ? 'cost unknown' : usd(s.costUsd);
    const where = s.branch ? `branch ${s.branch} (corral diff ${s.sessionId})` : `session ${s.sessionId}`;
    const text =
      s.outcome === 'finished'
        ? `agent run ${s.runId} finished in ${s.steps} steps, ${cost}, ${where}: ${s.summary}`
        : `agent run ${s.runId} ended without finishing (${s.outcome}: ${s.error?.message ?? s.summary}) after ${s.steps} steps, ${cost}, ${where}`;
    try {
      const result = await this.deps.tasks.update(caller, { board: task.board, id: task.id, action: s.outcome === 'finished' ? doneStatus : 'note', text: text.slice(0, 1900) });
      return { id: task.id, board: task.board, status: result.task?.status ?? 'unknown' };
    } catch (error) {
      // The run's work is in its session either way; the board is told what it could be told.
      return { id: task.id, board: task.board, status: `not updated: ${(error as Error).message}` };
    }
  }

  /** Stops a run of `owner`'s; false when there is none by that id. */
  stop(owner: string, runId: string): boolean {
    const run = this.running.get(runId);
    if (run === undefined || run.owner !== owner) return false;
    run.controller.abort();
    return true;
  }

  private async sessionFor(owner: string, params: AgentRunParams): Promise<SessionInfo> {
    if (params.session !== undefined) return this.deps.sessions.show(owner, params.session).session;
    if (params.repo === undefined) throw new CorralError(ErrorCode.InvalidParams, 'a run needs a session or a repository', 'pass --session ID, or run it inside a repository (or --repo DIR)');
    return this.deps.sessions.start(owner, { repo: params.repo, ...(params.image === undefined ? {} : { image: params.image }) });
  }

  private async execute(
    caller: Caller,
    runId: string,
    session: SessionInfo,
    params: AgentRunParams,
    provider: ReturnType<typeof resolveProvider>,
    config: ReturnType<typeof readConfig>,
    emit: (event: RunEvent) => void,
    signal: AbortSignal,
    task?: TaskRun,
  ): Promise<RunSummary> {
    const { clock, ledger, store } = this.deps;
    const owner = caller.user;
    const replay = provider.llm.replay;
    const prices = new PriceTable(config.prices);
    const budgets: Budgets = { ...config.budgets, ...(params.budgetUsd === undefined ? {} : { runUsd: params.budgetUsd }) };
    const tokens: RunTokens = { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimatedCalls: 0 };
    let runCost = 0;
    let pricedCalls = 0;
    let unpricedCalls = 0;
    const warned = new Set<string>();
    const startedAt = clock.now().toISOString();
    await store.write((w) =>
      w.run('INSERT INTO agent_runs (id, user, session_id, task, persona, provider, model, goal, steps, started_at, replay) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)', [
        runId,
        owner,
        session.id,
        task?.id ?? null,
        params.persona ?? null,
        provider.name,
        provider.model,
        params.prompt ?? '',
        startedAt,
        replay ? 1 : 0,
      ]),
    );
    emit({ kind: 'started', sessionId: session.id, provider: provider.name, model: provider.model, replay });

    const quote = (usage: Usage): Promise<Quote> => prices.quote(provider.priceProvider, provider.model, usage);
    const result = await runLoop(
      {
        llm: provider.llm,
        tools: new Toolbox((command, options) => this.deps.sessions.exec(owner, session.id, command, { timeoutMs: options.timeoutMs ?? 120_000, ...(options.signal ? { signal: options.signal } : {}) })),
        now: () => clock.now().getTime(),
        emit,
        // task_progress notes go onto the board under the task.
        ...(task ? { note: async (text: string) => void (await this.deps.tasks.update(caller, { board: task.board, id: task.id, action: 'note', text: `agent: ${text}` }).catch(() => undefined)) } : {}),
        beforeCall: async (request) => {
          if (replay) return { ok: true };
          // The worst case: every byte of the prompt a token (a BPE token is at least one byte), all uncached.
          const { costUsd: worst } = await quote({ inputTokens: Buffer.byteLength(JSON.stringify([request.system, request.messages, request.tools])), outputTokens: request.maxTokens, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
          if (worst === null) {
            if (!warned.has('price')) {
              warned.add('price');
              emit({ kind: 'warning', text: `no price is known for ${provider.priceProvider}/${provider.model}: its cost is reported as unknown and budgets cannot hold it (add it under "prices" in config.json)` });
            }
            return { ok: true };
          }
          const spent = { ...ledger.spent(owner, clock.now()), run: runCost };
          for (const text of budgetWarnings(budgets, spent, warned)) emit({ kind: 'warning', text });
          return checkBudgets(budgets, spent, worst);
        },
        account: async (request, turn, latencyMs, outcome) => {
          const { usage, estimated } = await usageOf(request, turn, outcome);
          const priced = replay ? { costUsd: 0, priceVersion: 'replay (nothing spent)' } : await quote(usage);
          const cost = priced.costUsd;
          tokens.calls++;
          tokens.inputTokens += usage.inputTokens;
          tokens.outputTokens += usage.outputTokens;
          tokens.cacheReadTokens += usage.cacheReadTokens;
          tokens.cacheWriteTokens += usage.cacheWriteTokens;
          tokens.reasoningTokens += usage.reasoningTokens;
          if (estimated) tokens.estimatedCalls++;
          if (cost === null) unpricedCalls++;
          else {
            runCost += cost;
            pricedCalls++;
          }
          await ledger.append({
            at: clock.now(),
            user: owner,
            sessionId: session.id,
            runId,
            task: task?.id ?? null,
            persona: params.persona ?? null,
            provider: provider.name,
            model: turn?.model ?? provider.model,
            usage,
            costUsd: cost,
            priceVersion: priced.priceVersion,
            latencyMs,
            outcome,
            estimated,
            replay,
          });
          return { costUsd: cost, estimated };
        },
      },
      {
        goal: params.prompt ?? '',
        model: provider.model,
        maxSteps: params.maxSteps ?? config.agent?.maxSteps ?? DEFAULTS.maxSteps,
        deadline: clock.now().getTime() + (params.timeoutS ?? config.agent?.timeoutS ?? DEFAULTS.timeoutS) * 1000,
        maxTokens: config.agent?.maxTokensPerCall ?? DEFAULTS.maxTokensPerCall,
        signal,
      },
    );

    const summary: RunSummary = {
      runId,
      sessionId: session.id,
      outcome: result.outcome,
      summary: result.summary,
      ...(result.error ? { error: result.error } : {}),
      steps: result.steps,
      provider: provider.name,
      model: provider.model,
      replay,
      tokens,
      costUsd: pricedCalls === 0 && unpricedCalls > 0 ? null : runCost,
      unpricedCalls,
      branch: session.branch,
      next: { diff: `corral diff ${session.id}`, apply: `corral apply ${session.id}` },
      startedAt,
      endedAt: clock.now().toISOString(),
    };
    await store.write((w) =>
      w.run('UPDATE agent_runs SET outcome = ?, steps = ?, ended_at = ?, summary = ? WHERE id = ?', [summary.outcome, summary.steps, summary.endedAt, JSON.stringify(summary), runId]),
    );
    if (result.outcome === 'budget') emit({ kind: 'warning', text: `${result.summary} — run cost so far ${usd(runCost)}` });
    return summary;
  }
}

/** The usage of a call for the ledger: as reported, else counted (and marked estimated). */
async function usageOf(request: ModelRequest, turn: ModelTurn | null, outcome: string): Promise<{ usage: Usage; estimated: boolean }> {
  if (turn?.usage) return { usage: turn.usage, estimated: false };
  if (turn) return { usage: await estimateUsage(request, turn), estimated: true };
  // No answer: a cancelled call was probably billed for its prompt; a refused one (4xx) or a budget stop was not.
  if (outcome === 'cancelled') return { usage: { inputTokens: await countRequestTokens(request), outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, estimated: true };
  return { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, estimated: false };
}
