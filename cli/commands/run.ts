import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { AgentList, AgentProgress, AgentResume, AgentRun, type AgentRunParams, type RunEvent, type RunListEntry, type RunSummary } from '../../server/protocol';
import type { CliContext } from '../context';
import { CliError, toCliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';
import { gitRootAbove } from '../repo';

export interface RunOptions {
  prompt?: string;
  task?: string;
  board?: string;
  repo?: string;
  session?: string;
  image?: string;
  provider?: string;
  model?: string;
  budget?: string;
  maxSteps?: string;
  timeout?: string;
  record?: string;
  transcript?: string;
  persona?: string;
  /** Continue this interrupted run instead of starting one. */
  resume?: string;
  /** List your runs instead of starting one. */
  list?: boolean;
}

/** Options that describe a new run: meaningless with --resume, which goes on as the run was started. */
const NEW_RUN_OPTIONS = ['prompt', 'task', 'board', 'repo', 'session', 'image', 'provider', 'model', 'budget', 'maxSteps', 'timeout', 'record', 'transcript', 'persona'] as const;

/**
 * `corral run --prompt TEXT`: the coding agent in a jailed session (a new one on the repository
 * you are in, unless --session), its steps printed as they happen, then the summary: outcome,
 * tokens, cost, and how to review and take the work. Ctrl-C stops the run.
 */
export async function run(options: RunOptions, ctx: CliContext): Promise<void> {
  if (options.list === true) return list(ctx);
  if (options.resume !== undefined) {
    const extra = NEW_RUN_OPTIONS.filter((key) => options[key] !== undefined);
    if (extra.length > 0) throw new CliError(`--resume goes on as the run was started; it takes no --${extra.map(flag).join(', --')}`, `leave them out: corral run --resume ${options.resume}`, ExitCode.Usage);
    return follow(ctx, undefined, options.resume);
  }
  if ((options.prompt === undefined || options.prompt.trim() === '') && options.task === undefined) throw new CliError('nothing to do', 'say what with --prompt "…", or pick a task of the board with --task ID', ExitCode.Usage);
  const params: AgentRunParams = {};
  if (options.prompt !== undefined && options.prompt.trim() !== '') params.prompt = options.prompt;
  if (options.task !== undefined) {
    params.task = options.task;
    if (options.board !== undefined) params.board = path.resolve(options.board);
  }
  if (options.session !== undefined) params.session = options.session;
  else {
    const repo = options.repo === undefined ? gitRootAbove(process.cwd()) : path.resolve(options.repo);
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
  if (options.record !== undefined) params.record = path.resolve(options.record);
  if (options.transcript !== undefined) params.transcript = path.resolve(options.transcript);
  if (params.transcript !== undefined && params.provider === undefined) params.provider = 'replay';
  return follow(ctx, params, undefined);
}

/** Starts a run (`params`) or resumes one (`resume`), prints its steps as they come, then its summary. */
async function follow(ctx: CliContext, params: AgentRunParams | undefined, resume: string | undefined): Promise<void> {
  const connection = await ctx.connect();
  try {
    // Progress only until the run reports its own steps.
    let runId: string | undefined;
    const waiting = ctx.out.progress(params === undefined ? `resuming run ${resume}` : params.session ? 'waiting for the model' : 'starting a session');
    connection.rpc.onNotification(AgentProgress, (progress) => {
      runId = progress.runId;
      waiting.done();
      report(ctx.out, progress.runId, progress.event);
    });
    const cancel = new CancellationTokenSource();
    let interrupts = 0;
    const onInterrupt = (): void => {
      if (++interrupts > 1) process.exit(ExitCode.Interrupted);
      ctx.out.note('stopping the run (Ctrl-C again to leave at once)…');
      cancel.cancel();
    };
    process.on('SIGINT', onInterrupt);
    let summary: RunSummary;
    try {
      summary = params === undefined ? await connection.rpc.sendRequest(AgentResume, { run: resume! }, cancel.token) : await connection.rpc.sendRequest(AgentRun, params, cancel.token);
    } catch (error) {
      // The daemon went away under the run: it is kept as interrupted, and can go on.
      const failure = toCliError(error);
      if (runId !== undefined && failure.exitCode === ExitCode.DaemonUnavailable) {
        throw new CliError(`the daemon ended while run ${runId} was going; the run is interrupted`, `go on from its last completed step with \`corral run --resume ${runId}\` (it starts the daemon again)`, ExitCode.DaemonUnavailable);
      }
      throw error;
    } finally {
      waiting.done();
      process.off('SIGINT', onInterrupt);
    }
    ctx.out.result(summary, (s) => describe(ctx.out, s));
    process.exitCode = summary.outcome === 'finished' ? ExitCode.Ok : summary.outcome === 'stopped' ? ExitCode.Interrupted : ExitCode.Failure;
  } finally {
    connection.dispose();
  }
}

/** `corral run --list`: your runs, newest first; interrupted ones say how to go on. */
async function list(ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const { runs } = await connection.rpc.sendRequest(AgentList, {});
    ctx.out.result({ runs }, (r) => describeRuns(r.runs));
  } finally {
    connection.dispose();
  }
}

function describeRuns(runs: RunListEntry[]): string {
  if (runs.length === 0) return 'no runs yet: corral run --prompt "…"\n';
  const rows = runs.map((r) => [r.runId, r.sessionId, r.outcome ?? 'running', String(r.steps), r.startedAt.slice(0, 16).replace('T', ' '), (r.task ? `${r.task}: ` : '') + r.goal.split('\n')[0]!.slice(0, 60)]);
  const resumable = runs.find((r) => r.outcome === 'interrupted');
  return `${table([['RUN', 'SESSION', 'OUTCOME', 'STEPS', 'STARTED', 'GOAL'], ...rows])}${resumable ? `go on with an interrupted run: corral run --resume ${resumable.runId}\n` : ''}`;
}

function flag(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function positive(text: string, flag: string, hint: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliError(`bad ${flag} ${text}`, `give ${hint}`, ExitCode.Usage);
  return value;
}

let replaying = false;

/** One line per thing that happened, as it happens. */
function report(out: Output, runId: string, event: RunEvent): void {
  switch (event.kind) {
    case 'started':
      replaying = event.replay;
      out.line(out.paint(`run ${runId} · session ${event.sessionId} · ${event.provider}/${event.model}${event.replay ? ' · replay (no model is called)' : ''}${event.resumedAfter === undefined ? '' : ` · resumed after step ${event.resumedAfter}`}`, 'bold'));
      break;
    case 'model': {
      const cost = replaying ? 'replay' : event.costUsd === null ? 'cost unknown' : money(event.costUsd);
      const said = event.text.trim().split('\n')[0]?.slice(0, 100) ?? '';
      out.line(`step ${event.step} ${out.paint(`· model ${(event.latencyMs / 1000).toFixed(1)} s · ${cost}${event.estimated ? ' (estimated)' : ''}`, 'dim')}${said ? ` ${said}` : ''}`);
      break;
    }
    case 'tool': {
      const mark = event.ok ? out.paint('✓', 'green') : out.paint('✗', 'red');
      const result = event.result.trim().split('\n')[0]?.slice(0, 100) ?? '';
      out.line(`  ${mark} ${event.name} ${argumentSummary(event.name, event.arguments)}${result ? out.paint(` → ${result}`, 'dim') : ''}`);
      break;
    }
    case 'note':
      out.line(`  • ${event.text}`);
      break;
    case 'retry':
      out.note(`the provider answered ${event.status}; the SDK retries${event.retryAfterS === null ? '' : ` in ${event.retryAfterS} s`}`);
      break;
    case 'warning':
      out.note(`warning: ${event.text}`);
      break;
    case 'checkpoint':
      // Saved for a resume; nothing for a person to read.
      break;
  }
}

/** The argument that says what a tool call does: the command, the path, the pattern. */
function argumentSummary(tool: string, raw: string): string {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw.slice(0, 80);
  }
  const key = { shell: 'command', search: 'pattern', task_progress: 'note', finish: 'summary' }[tool] ?? 'path';
  const value = typeof args[key] === 'string' ? (args[key] as string) : '';
  return value.split('\n')[0]!.slice(0, 80);
}

function describe(out: Output, s: RunSummary): string {
  const t = s.tokens;
  const cost = s.replay ? 'replay: nothing spent' : s.costUsd === null ? 'cost unknown (no price for the model)' : `${money(s.costUsd)}${s.unpricedCalls > 0 ? ` + ${s.unpricedCalls} unpriced calls` : ''}`;
  const verdict = { finished: out.paint('finished', 'green'), stopped: out.paint('stopped', 'yellow'), max_steps: out.paint('step limit', 'yellow'), timeout: out.paint('time limit', 'yellow'), budget: out.paint('budget reached', 'red'), error: out.paint('failed', 'red'), interrupted: out.paint('interrupted', 'yellow') }[s.outcome];
  const lines = [
    '',
    `${verdict} after ${s.steps} step${s.steps === 1 ? '' : 's'} · ${n(t.inputTokens)} tokens in (${n(t.cacheReadTokens)} cached) / ${n(t.outputTokens)} out${t.estimatedCalls > 0 ? ` (${t.estimatedCalls} calls estimated)` : ''} · ${cost}`,
    s.summary,
  ];
  if (s.error) lines.push(`hint: ${s.error.hint}`);
  if (s.task) lines.push(`task ${s.task.id} on ${path.basename(s.task.board)}: ${s.task.status.replace('_', ' ')}`);
  lines.push(`review: ${s.next.diff} · take it: ${s.next.apply}${s.branch ? ` (branch ${s.branch})` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function money(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function n(value: number): string {
  return value.toLocaleString('en-US');
}
