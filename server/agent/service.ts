import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { readConfig } from '../config';
import { CorralError } from '../errors';
import { countRequestTokens, estimateUsage } from '../ledger/estimate';
import type { Ledger } from '../ledger/ledger';
import { PriceTable, type Quote } from '../ledger/prices';
import type { Message, ModelRequest, ModelTurn, Usage } from '../llm/types';
import type { Clock } from '../ports/clock';
import type { LlmProviders, ResolvedProvider } from '../ports/llm';
import { ErrorCode, type AgentRunParams, type RunEvent, type RunListEntry, type RunOutcome, type RunSummary, type RunTokens, type SessionInfo } from '../protocol';
import type { SessionService } from '../sessions/service';
import type { Store } from '../store/store';
import type { Caller, TasksService } from '../tasks/service';
import { budgetWarnings, checkBudgets, usd, type Budgets } from './budget';
import { runLoop } from './loop';
import {
  claimInterrupted,
  interruptOrphans,
  journalStep,
  ledgerTotals,
  listRuns,
  loadHistory,
  parseRunParams,
  runRow,
  skipReplayedTurns,
  type StoredRunParams,
} from './runJournal';
import { Toolbox } from './tools';

export interface AgentDeps {
  store: Store;
  sessions: SessionService;
  ledger: Ledger;
  clock: Clock;
  configFile: string;
  tasks: TasksService;
  /** Picks a run's model: the official SDKs (keys from the daemon's memory or environment, never a jail's), or a scripted model in tests. */
  providers: LlmProviders;
}

/** The board task a run works on. */
interface TaskRun {
  id: string;
  board: string;
  goal: string;
}

const DEFAULTS = { maxSteps: 50, timeoutS: 1800, maxTokensPerCall: 8192 };

/** A run going on after an interruption: its conversation so far and its start. */
interface Resumed {
  history: { steps: number; messages: Message[] };
  startedAt: string;
}

/** Session states a resumed run can work in (a paused session is resumed by its first command). */
const WORKABLE = new Set(['ready', 'busy', 'paused', 'creating']);

/** Runs the coding agent in sessions' jails, accounts for every call, and keeps the runs. */
export class AgentService {
  private readonly running = new Map<string, { owner: string; controller: AbortController }>();

  /** Runs left without an outcome by a daemon that is gone are marked `interrupted` before anything else. */
  private readonly ready: Promise<void>;

  constructor(private readonly deps: AgentDeps) {
    this.ready = deps.store
      .write((w) => interruptOrphans(w, deps.clock.now().toISOString()))
      .then(
        () => undefined,
        // The store reports its own failure on the next write; runs are then refused with it.
        () => undefined,
      );
  }

  /** `owner`'s runs, newest first. */
  async list(owner: string, options: { outcome?: RunOutcome; limit?: number }): Promise<RunListEntry[]> {
    await this.ready;
    return this.deps.store.read((r) => listRuns(r, owner, options));
  }

  async run(owner: string, params: AgentRunParams, emit: (runId: string, event: RunEvent) => void, signal: AbortSignal, isDaemonOwner = false): Promise<RunSummary> {
    await this.ready;
    const caller = { user: owner, daemonOwner: isDaemonOwner };
    const config = readConfig(this.deps.configFile);
    if (params.prompt === undefined && params.task === undefined) throw new CorralError(ErrorCode.InvalidParams, 'a run needs a goal', 'give --prompt "…" or --task ID');
    const known = params.session === undefined ? undefined : this.deps.sessions.show(owner, params.session).session;
    // The task is read (and must exist) before anything is started for it.
    const task = params.task === undefined ? undefined : this.taskGoal(caller, params, known);
    const goal = task?.goal ?? params.prompt!;
    const provider = this.deps.providers.resolve(config, { ...params, goal });
    try {
      const session = known ?? (await this.sessionFor(owner, params));
      if (task) await this.deps.tasks.update(caller, { board: task.board, id: task.id, action: 'start' });
      const runId = randomBytes(5).toString('hex');
      return await this.track(owner, runId, signal, async (stopSignal) => {
        const summary = await this.execute(caller, runId, session, { ...params, prompt: goal }, provider, config, (event) => emit(runId, event), stopSignal, task);
        return task ? { ...summary, task: await this.closeTask(caller, task, summary, config.agent?.taskDoneStatus ?? 'done') } : summary;
      });
    } finally {
      provider.close();
    }
  }

  /**
   * Continues an interrupted run of `owner`'s from its last completed step, in its session, with
   * the parameters it was started with. The completed steps are not sent again: the model gets
   * the conversation they left; their ledger rows are the start of the run's totals.
   */
  async resume(owner: string, runId: string, emit: (runId: string, event: RunEvent) => void, signal: AbortSignal, isDaemonOwner = false): Promise<RunSummary> {
    await this.ready;
    const caller = { user: owner, daemonOwner: isDaemonOwner };
    const row = this.deps.store.read((r) => runRow(r, runId));
    // Another user's run is answered like a run that does not exist: ids are not to be probed.
    if (row === undefined || row.user !== owner)
      throw new CorralError(ErrorCode.NotFound, `you have no run ${runId}`, 'list your runs with `corral run --list`; a run is resumed by the user who started it');
    if (this.running.has(runId) || row.outcome === null)
      throw new CorralError(ErrorCode.Conflict, `run ${runId} is running`, 'stop it with Ctrl-C in its `corral run`, or wait for it to end');
    if (row.outcome !== 'interrupted') {
      throw new CorralError(
        ErrorCode.Conflict,
        `run ${runId} ended (${row.outcome}) and cannot be resumed`,
        `only interrupted runs go on; start a new run in its session: corral run --session ${row.session_id} --prompt "…"`,
      );
    }
    const stored = parseRunParams(row);
    if (stored === undefined)
      throw new CorralError(
        ErrorCode.Conflict,
        `run ${runId} was started before runs were journaled`,
        `start a new run in its session: corral run --session ${row.session_id} --prompt "…"`,
      );
    const session = this.workableSession(owner, runId, row.session_id);
    const history = this.deps.store.read((r) => loadHistory(r, runId));
    const config = readConfig(this.deps.configFile);
    // The transcript being recorded holds the turns up to the interruption; a recorder would start it anew.
    const { record, ...wanted } = stored;
    const provider = this.deps.providers.resolve(config, wanted);
    try {
      if (provider.llm.replay) await skipReplayedTurns(provider.llm, history.steps, provider.model);
      if (!(await this.deps.store.write((w) => claimInterrupted(w, runId))))
        throw new CorralError(ErrorCode.Conflict, `run ${runId} is being resumed already`, 'wait for that resume to end');
      const task = row.task !== null && stored.board !== undefined ? { id: row.task, board: stored.board, goal: stored.goal } : undefined;
      const params = runParams(stored, row.persona);
      return await this.track(owner, runId, signal, async (stopSignal) => {
        const events = (event: RunEvent): void => emit(runId, event);
        if (record !== undefined) events({ kind: 'warning', text: `the transcript ${record} keeps the turns up to the interruption; the resumed turns are not recorded` });
        const summary = await this.execute(caller, runId, session, params, provider, config, events, stopSignal, task, { history, startedAt: row.started_at });
        return task ? { ...summary, task: await this.closeTask(caller, task, summary, config.agent?.taskDoneStatus ?? 'done') } : summary;
      });
    } finally {
      provider.close();
    }
  }

  /** The session a resumed run works in, if it can still take work. */
  private workableSession(owner: string, runId: string, sessionId: string): SessionInfo {
    let session: SessionInfo;
    try {
      session = this.deps.sessions.show(owner, sessionId).session;
    } catch (error) {
      if (error instanceof CorralError && error.code === ErrorCode.NotFound) {
        throw new CorralError(
          ErrorCode.NotFound,
          `the session ${sessionId} of run ${runId} is gone`,
          'the run cannot go on without its workspace; start a new run: corral run --prompt "…"',
        );
      }
      throw error;
    }
    if (!WORKABLE.has(session.state)) {
      throw new CorralError(
        ErrorCode.Conflict,
        `the session ${sessionId} of run ${runId} is ${session.state}${session.stateReason ? ` (${session.stateReason})` : ''}`,
        `the run cannot go on in it; see \`corral session show ${sessionId}\`, or start a new run`,
      );
    }
    return session;
  }

  /** Runs `body` as run `runId` of `owner`'s: stoppable by `agent/stop` and by `signal`. */
  private async track(owner: string, runId: string, signal: AbortSignal, body: (stop: AbortSignal) => Promise<RunSummary>): Promise<RunSummary> {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.running.set(runId, { owner, controller });
    try {
      return await body(controller.signal);
    } finally {
      signal.removeEventListener('abort', stop);
      this.running.delete(runId);
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
    if (params.repo === undefined)
      throw new CorralError(ErrorCode.InvalidParams, 'a run needs a session or a repository', 'pass --session ID, or run it inside a repository (or --repo DIR)');
    return this.deps.sessions.start(owner, { repo: params.repo, ...(params.image === undefined ? {} : { image: params.image }) });
  }

  private async execute(
    caller: Caller,
    runId: string,
    session: SessionInfo,
    params: AgentRunParams,
    provider: ResolvedProvider,
    config: ReturnType<typeof readConfig>,
    emit: (event: RunEvent) => void,
    signal: AbortSignal,
    task?: TaskRun,
    resumed?: Resumed,
  ): Promise<RunSummary> {
    const { clock, ledger, store } = this.deps;
    const owner = caller.user;
    const replay = provider.llm.replay;
    const prices = new PriceTable(config.prices);
    const budgets: Budgets = { ...config.budgets, ...(params.budgetUsd === undefined ? {} : { runUsd: params.budgetUsd }) };
    // A resumed run starts from what its calls so far used and cost, as the ledger has them.
    const before = resumed ? store.read((r) => ledgerTotals(r, runId)) : undefined;
    const tokens: RunTokens = before?.tokens ?? { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimatedCalls: 0 };
    let runCost = before?.costUsd ?? 0;
    let pricedCalls = before?.pricedCalls ?? 0;
    let unpricedCalls = before?.unpricedCalls ?? 0;
    const warned = new Set<string>();
    const startedAt = resumed?.startedAt ?? clock.now().toISOString();
    if (!resumed) {
      const stored: StoredRunParams = { ...storedParams(params), goal: params.prompt ?? '', ...(task ? { board: task.board } : {}) };
      await store.write((w) =>
        w.run(
          'INSERT INTO agent_runs (id, user, session_id, task, persona, provider, model, goal, steps, started_at, replay, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)',
          [
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
            JSON.stringify(stored),
          ],
        ),
      );
    }
    emit({ kind: 'started', sessionId: session.id, provider: provider.name, model: provider.model, replay, ...(resumed ? { resumedAfter: resumed.history.steps } : {}) });

    let saved: Promise<void> = Promise.resolve();
    const quote = (usage: Usage): Promise<Quote> => prices.quote(provider.priceProvider, provider.model, usage);
    const result = await runLoop(
      {
        llm: provider.llm,
        tools: new Toolbox((command, options) =>
          this.deps.sessions.exec(owner, session.id, command, { timeoutMs: options.timeoutMs ?? 120_000, ...(options.signal ? { signal: options.signal } : {}) }),
        ),
        now: () => clock.now().getTime(),
        emit,
        // task_progress notes go onto the board under the task.
        ...(task
          ? {
              note: async (text: string) =>
                void (await this.deps.tasks.update(caller, { board: task.board, id: task.id, action: 'note', text: `agent: ${text}` }).catch(() => undefined)),
            }
          : {}),
        // One journaled write per completed step. The next model call does not wait for its fsync:
        // the journal is replayed as a prefix, so the next call's ledger row is never durable
        // without it, and a crash before it is durable only makes this step the one redone.
        checkpoint: async (step, added) => {
          await saved; // a failed earlier save ends the run here
          saved = store.write((w) => journalStep(w, runId, step, clock.now().toISOString(), added)).then(() => emit({ kind: 'checkpoint', step }));
          saved.catch(() => undefined);
        },
        beforeCall: async (request) => {
          if (replay) return { ok: true };
          // The worst case: every byte of the prompt a token (a BPE token is at least one byte), all uncached.
          const { costUsd: worst } = await quote({
            inputTokens: Buffer.byteLength(JSON.stringify([request.system, request.messages, request.tools])),
            outputTokens: request.maxTokens,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            reasoningTokens: 0,
          });
          if (worst === null) {
            if (!warned.has('price')) {
              warned.add('price');
              emit({
                kind: 'warning',
                text: `no price is known for ${provider.priceProvider}/${provider.model}: its cost is reported as unknown and budgets cannot hold it (add it under "prices" in config.json)`,
              });
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
        ...(resumed ? { history: resumed.history } : {}),
      },
    );

    await saved;
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
      w.run('UPDATE agent_runs SET outcome = ?, steps = ?, ended_at = ?, summary = ? WHERE id = ?', [
        summary.outcome,
        summary.steps,
        summary.endedAt,
        JSON.stringify(summary),
        runId,
      ]),
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
  if (outcome === 'cancelled')
    return { usage: { inputTokens: await countRequestTokens(request), outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, estimated: true };
  return { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, estimated: false };
}

/** What of a run's parameters a resume needs (the goal and board are added by the caller). */
function storedParams(params: AgentRunParams): Omit<StoredRunParams, 'goal'> {
  const keys = ['provider', 'model', 'budgetUsd', 'maxSteps', 'timeoutS', 'transcript', 'record', 'persona'] as const;
  const stored: Record<string, string | number> = {};
  for (const key of keys) if (params[key] !== undefined) stored[key] = params[key];
  return stored;
}

/** The parameters of a resumed run, as `execute` takes them. */
function runParams(stored: StoredRunParams, persona: string | null): AgentRunParams {
  const keys = ['provider', 'model', 'budgetUsd', 'maxSteps', 'timeoutS', 'transcript'] as const;
  const params: AgentRunParams = { prompt: stored.goal, ...(persona === null ? {} : { persona }) };
  for (const key of keys) if (stored[key] !== undefined) Object.assign(params, { [key]: stored[key] });
  return params;
}
