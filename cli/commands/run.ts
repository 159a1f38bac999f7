import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { AgentList, AgentProgress, AgentResume, AgentRun, ErrorCode, TasksUpdate, type AgentRunParams, type RunSummary } from '../../server/protocol';
import type { DaemonConnection as Connection } from '../../server/protocol/client';
import { TasksClaimNext } from '../../server/protocol/taskQueue';
import type { CommandFunction, Options } from '../command';
import type { runCommand } from '../commands';
import type { CliContext } from '../context';
import { CliError, toCliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { money } from '../numbers';
import { gitRootAbove } from '../repo';
import { describe, describeRuns, report } from './runReport';

type RunOptions = Options<typeof runCommand>;

/** Options that describe a new run: meaningless with --resume, which goes on as the run was started. */
const NEW_RUN_OPTIONS = ['prompt', 'task', 'board', 'repo', 'session', 'image', 'provider', 'model', 'budget', 'maxSteps', 'timeout', 'record', 'transcript', 'persona'] as const;

/**
 * `corral run --prompt TEXT`: the coding agent in a jailed session (a new one on the repository
 * you are in, unless --session), its steps printed as they happen, then the summary: outcome,
 * tokens, cost, and how to review and take the work. Ctrl-C stops the run.
 */
export const run: CommandFunction<typeof runCommand> = async (ctx, options) => {
  if (options.list === true) return list(ctx);
  if (options.next === true || options.chain !== undefined) return chain(options, ctx);
  if (options.resume !== undefined) {
    const extra = NEW_RUN_OPTIONS.filter((key) => options[key] !== undefined);
    if (extra.length > 0)
      throw new CliError(
        `--resume goes on as the run was started; it takes no --${extra.map(flag).join(', --')}`,
        `leave them out: corral run --resume ${options.resume}`,
        ExitCode.Usage,
      );
    return follow(ctx, undefined, options.resume);
  }
  if ((options.prompt === undefined || options.prompt.trim() === '') && options.task === undefined)
    throw new CliError('nothing to do', 'say what with --prompt "…", or pick a task of the board with --task ID', ExitCode.Usage);
  const params: AgentRunParams = {};
  if (options.prompt !== undefined && options.prompt.trim() !== '') params.prompt = options.prompt;
  if (options.task !== undefined) {
    params.task = options.task;
    if (options.board !== undefined) params.board = ctx.resolve(options.board);
  }
  if (options.session !== undefined) params.session = options.session;
  else {
    const repo = options.repo === undefined ? gitRootAbove(ctx.cwd) : ctx.resolve(options.repo);
    if (repo === undefined) throw new CliError('not inside a repository', 'run it in your repository, or pass --repo DIR or --session ID', ExitCode.Usage);
    params.repo = repo;
  }
  if (options.image !== undefined) params.image = options.image;
  if (options.provider !== undefined) params.provider = options.provider;
  if (options.model !== undefined) params.model = options.model;
  if (options.persona !== undefined) params.persona = options.persona;
  if (options.budget !== undefined) params.budgetUsd = positive(options.budget, '--budget', 'US dollars, e.g. --budget 0.50');
  if (options.maxSteps !== undefined) params.maxSteps = Math.floor(positive(options.maxSteps, '--max-steps', 'a number of steps, e.g. --max-steps 20'));
  if (options.timeout !== undefined) params.timeoutS = positive(options.timeout, '--timeout', 'seconds, e.g. --timeout 600');
  if (options.record !== undefined) params.record = ctx.resolve(options.record);
  if (options.transcript !== undefined) params.transcript = ctx.resolve(options.transcript);
  if (params.transcript !== undefined && params.provider === undefined) params.provider = 'replay';
  return follow(ctx, params, undefined);
};

/** Starts a run (`params`) or resumes one (`resume`), prints its steps as they come, then its summary. */
async function follow(ctx: CliContext, params: AgentRunParams | undefined, resume: string | undefined): Promise<number> {
  const summary = await watch(ctx, await ctx.connection(), params, resume);
  ctx.out.result(summary, (s) => describe(ctx.out, s));
  return summary.outcome === 'finished' ? ExitCode.Ok : summary.outcome === 'stopped' ? ExitCode.Interrupted : ExitCode.Failure;
}

/** One run on an open connection: its steps printed as they come (Ctrl-C stops it); answers its summary. */
async function watch(ctx: CliContext, connection: Connection, params: AgentRunParams | undefined, resume: string | undefined): Promise<RunSummary> {
  // Progress only until the run reports its own steps.
  let runId: string | undefined;
  const waiting = ctx.out.progress(params === undefined ? `resuming run ${resume}` : params.session ? 'waiting for the model' : 'starting a session');
  const subscription = connection.rpc.onNotification(AgentProgress, (progress) => {
    runId = progress.runId;
    waiting.done();
    report(ctx.out, progress.runId, progress.event);
  });
  const cancel = new CancellationTokenSource();
  const interrupts = ctx.onInterrupt(() => {
    ctx.out.note('stopping the run (Ctrl-C again to leave at once)…');
    cancel.cancel();
  });
  try {
    return params === undefined ? await connection.rpc.sendRequest(AgentResume, { run: resume! }, cancel.token) : await connection.rpc.sendRequest(AgentRun, params, cancel.token);
  } catch (error) {
    // The daemon went away under the run: it is kept as interrupted, and can go on.
    const failure = toCliError(error);
    if (runId !== undefined && failure.exitCode === ExitCode.DaemonUnavailable) {
      throw new CliError(
        `the daemon ended while run ${runId} was going; the run is interrupted`,
        `go on from its last completed step with \`corral run --resume ${runId}\` (it starts the daemon again)`,
        ExitCode.DaemonUnavailable,
      );
    }
    throw error;
  } finally {
    waiting.done();
    subscription.dispose();
    interrupts.dispose();
  }
}

/** Why a `run --next` chain ended. */
type ChainEnd = 'none_left' | 'chain_limit' | 'budget' | 'failed' | 'stopped';

/**
 * `corral run --next [--chain N]`: claims the board's first ready task (in one step on the daemon,
 * so two of these at once never take the same task), runs the agent on it as `--task` does, and
 * with --chain goes on with the next one until none is ready, N runs are done, --budget (for the
 * whole chain) is spent, or a run does not finish.
 */
async function chain(options: RunOptions, ctx: CliContext): Promise<number> {
  const clash = (['prompt', 'task', 'resume', 'record', 'transcript'] as const).filter((key) => options[key] !== undefined);
  if (clash.length > 0)
    throw new CliError(`--next picks its tasks from the board; it takes no --${clash.map(flag).join(', --')}`, 'leave them out: corral run --next [--chain N]', ExitCode.Usage);
  const limit = options.chain === undefined ? 1 : Math.floor(positive(options.chain, '--chain', 'a number of runs, e.g. --chain 3'));
  const budget = options.budget === undefined ? undefined : positive(options.budget, '--budget', 'US dollars for the whole chain, e.g. --budget 2');
  const repo = options.repo === undefined ? gitRootAbove(ctx.cwd) : ctx.resolve(options.repo);
  if (repo === undefined && options.session === undefined)
    throw new CliError('not inside a repository', 'run it in your repository, or pass --repo DIR or --session ID', ExitCode.Usage);
  const board = options.board !== undefined ? ctx.resolve(options.board) : path.join(repo ?? ctx.cwd, 'docs', 'TASKS.md');
  const base: AgentRunParams = { board, ...(options.session !== undefined ? { session: options.session } : { repo: repo! }) };
  if (options.image !== undefined) base.image = options.image;
  if (options.provider !== undefined) base.provider = options.provider;
  if (options.model !== undefined) base.model = options.model;
  if (options.persona !== undefined) base.persona = options.persona;
  if (options.maxSteps !== undefined) base.maxSteps = Math.floor(positive(options.maxSteps, '--max-steps', 'a number of steps, e.g. --max-steps 20'));
  if (options.timeout !== undefined) base.timeoutS = positive(options.timeout, '--timeout', 'seconds, e.g. --timeout 600');

  const connection = await ctx.connection();
  const runs: RunSummary[] = [];
  let spent = 0;
  let end: ChainEnd = 'chain_limit';
  let reason = `${limit} run${limit === 1 ? '' : 's'} done (--chain ${limit})`;
  // A budget reached inside a run, or refusing one, ends the chain unfinished; --budget spent between runs is its planned end.
  let refused = false;
  while (runs.length < limit) {
    if (budget !== undefined && spent >= budget) {
      [end, reason] = ['budget', `the chain's budget of ${money(budget)} is spent (${money(spent)})`];
      break;
    }
    const claim = await connection.rpc.sendRequest(TasksClaimNext, { board });
    if (claim.task === null) {
      [end, reason] = ['none_left', `no ready task left on ${path.basename(board)}: ${claim.reason ?? 'none is todo'}`];
      break;
    }
    ctx.out.line(ctx.out.paint(`task ${claim.task.id} — ${claim.task.title}${claim.moreReady > 0 ? ` (${claim.moreReady} more ready)` : ''}`, 'bold'));
    let summary: RunSummary;
    try {
      summary = await watch(ctx, connection, { ...base, task: claim.task.id, ...(budget !== undefined ? { budgetUsd: budget - spent } : {}) }, undefined);
    } catch (error) {
      // Refused before it started (a day's budget, a bad provider): the claim is given back.
      await connection.rpc.sendRequest(TasksUpdate, { board, id: claim.task.id, action: 'status', status: 'todo' }).catch(() => undefined);
      const failure = toCliError(error);
      if (isBudgetError(error)) {
        [end, reason, refused] = ['budget', `${failure.message} (task ${claim.task.id} is todo again)`, true];
        break;
      }
      throw new CliError(`${failure.message} (task ${claim.task.id} is todo again)`, failure.hint, failure.exitCode);
    }
    runs.push(summary);
    spent += summary.costUsd ?? 0;
    if (!ctx.out.json) ctx.out.line(describe(ctx.out, summary).trimEnd());
    if (summary.outcome === 'budget' && summary.steps === 0) {
      // The budget left could not pay for a first call: nothing was done, so the claim is given back.
      await connection.rpc.sendRequest(TasksUpdate, { board, id: claim.task.id, action: 'status', status: 'todo' }).catch(() => undefined);
      [end, reason] = ['budget', `the budget left cannot pay for a run on ${claim.task.id} (${summary.error?.message ?? 'budget reached'}); it is todo again`];
      break;
    }
    if (summary.outcome !== 'finished') {
      end = summary.outcome === 'budget' ? 'budget' : summary.outcome === 'stopped' ? 'stopped' : 'failed';
      reason = `the run on ${claim.task.id} ended ${summary.outcome.replace('_', ' ')}${summary.error ? `: ${summary.error.message}` : ''}; the task stays in progress`;
      break;
    }
  }
  const result = { board, runs, stopped: end, reason, costUsd: spent };
  ctx.out.result(
    result,
    (r) =>
      `\n${r.runs.length} run${r.runs.length === 1 ? '' : 's'}${r.runs.length > 0 ? ` (${r.runs.map((s) => `${s.task?.id ?? '?'} ${s.outcome}`).join(', ')})` : ''} · stopped: ${r.reason}\n`,
  );
  return end === 'stopped' ? ExitCode.Interrupted : end === 'failed' || refused || (end === 'budget' && runs.at(-1)?.outcome === 'budget') ? ExitCode.Failure : ExitCode.Ok;
}

function isBudgetError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === ErrorCode.BudgetExceeded;
}

/** `corral run --list`: your runs, newest first; interrupted ones say how to go on. */
async function list(ctx: CliContext): Promise<number> {
  const { runs } = await ctx.call(AgentList, {});
  ctx.out.result({ runs }, (r) => describeRuns(r.runs));
  return ExitCode.Ok;
}

function flag(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function positive(text: string, flag: string, hint: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliError(`bad ${flag} ${text}`, `give ${hint}`, ExitCode.Usage);
  return value;
}
