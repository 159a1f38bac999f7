import * as path from 'node:path';
import * as vscode from 'vscode';
import { AgentProgress, AgentRun, AgentStop, type AgentRunParams, type RunSummary } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { registerCommand } from '../errors';
import { formatUsd } from '../sessions/present';
import type { SessionsTree } from '../sessions/sessionsTree';
import type { TaskNode, TasksTree } from '../tasks/tasksTree';
import type { RunNode } from './present';
import type { RunsModel } from './runsModel';
import { transcriptUri } from './transcript';

/** What `corral.runAgent` may be given (by the Tasks view, or a test); anything missing is asked. */
export interface RunAgentArgs {
  prompt?: string;
  task?: string;
  board?: string;
  /** A session of yours; `null`: a new one (on `repo` or the workspace folder). */
  session?: string | null;
  repo?: string;
  provider?: string;
  model?: string;
  budgetUsd?: number;
}

/** Runs this window is waiting for: a `started` progress event is claimed by the oldest unclaimed one. */
interface Pending {
  runId?: string;
  started: (runId: string) => void;
}

export function registerRunCommands(ctx: Ctx, runs: RunsModel, sessions: SessionsTree, tasks: TasksTree): vscode.Disposable[] {
  const pending: Pending[] = [];
  const progress = ctx.notifications.on(AgentProgress, ({ runId, event }) => {
    const waiting = pending.find((p) => p.runId === runId) ?? pending.find((p) => p.runId === undefined);
    if (!waiting) return;
    if (waiting.runId === undefined) {
      waiting.runId = runId;
      waiting.started(runId);
    }
    // Budget warnings (and others: no price known) are for the person who started the run.
    if (event.kind === 'warning') void vscode.window.showWarningMessage(`Corral run ${runId}: ${event.text}`);
  });

  const runAgent = async (given: RunAgentArgs = {}): Promise<RunSummary | undefined> => {
    const params = await askParams(ctx, sessions, tasks, given);
    if (!params) return undefined;
    const entry: Pending = { started: () => undefined };
    pending.push(entry);
    try {
      const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Corral agent', cancellable: true }, async (report, token) => {
        const cancel = new vscode.CancellationTokenSource();
        let stopped = false;
        const stop = (): void => {
          stopped = true;
          // agent/stop ends the run with outcome `stopped` and a summary; cancelling the request does it before the run has an id.
          if (entry.runId !== undefined) void ctx.connection?.rpc.sendRequest(AgentStop, { run: entry.runId }).catch(() => cancel.cancel());
          else cancel.cancel();
        };
        entry.started = (runId) => {
          report.report({ message: `run ${runId} started` });
          if (stopped) stop();
        };
        const onEvent = runs.onDidEvent(({ run }) => {
          if (run.runId === entry.runId && run.outcome === null)
            report.report({ message: `step ${run.steps}${run.costUsd ? ` · ${formatUsd(run.costUsd)}` : ''} · ${run.goal.split('\n')[0]?.slice(0, 60) ?? ''}` });
        });
        const subscription = token.onCancellationRequested(stop);
        try {
          return await ctx.requireConnection().rpc.sendRequest(AgentRun, params, cancel.token);
        } finally {
          subscription.dispose();
          onEvent.dispose();
          cancel.dispose();
        }
      });
      void announceEnd(summary);
      return summary;
    } finally {
      pending.splice(pending.indexOf(entry), 1);
    }
  };

  return [
    progress,
    registerCommand('corral.runAgent', (args?: RunAgentArgs) => runAgent(args)),
    registerCommand('corral.tasks.runAgent', (node?: TaskNode) => {
      if (node?.kind !== 'task') return runAgent({});
      return runAgent({ task: node.task.id, board: node.board.path, repo: node.board.folder.uri.fsPath });
    }),
    registerCommand('corral.session.runAgent', (id?: string) => runAgent(typeof id === 'string' ? { session: id } : {})),
    registerCommand('corral.runs.stop', async (node?: RunNode) => {
      const run = node ? runs.get(node.runId) : undefined;
      const target = run ?? (await pickRunning(runs));
      if (!target) return;
      const { stopping } = await ctx.requireConnection().rpc.sendRequest(AgentStop, { run: target.runId });
      if (!stopping) void vscode.window.showInformationMessage(`Corral: run ${target.runId} is not running any more.`);
    }),
    registerCommand('corral.runs.openTranscript', async (node?: RunNode) => {
      const runId = node?.runId ?? (await pickRun(runs));
      if (!runId) return undefined;
      const document = await vscode.workspace.openTextDocument(transcriptUri(runId));
      await vscode.languages.setTextDocumentLanguage(document, 'markdown');
      await vscode.window.showTextDocument(document, { preview: true });
      return document.uri.toString();
    }),
  ];
}

/** The run's end, with what to do next: the session's changes are waiting for review. */
async function announceEnd(summary: RunSummary): Promise<void> {
  const cost = summary.replay ? 'replayed, nothing spent' : summary.costUsd === null ? 'cost unknown' : formatUsd(summary.costUsd);
  const text = `Corral run ${summary.runId} ${summary.outcome === 'finished' ? 'finished' : `ended (${summary.outcome})`} after ${summary.steps} step(s), ${cost}: ${summary.error ? describeRunError(summary.error) : summary.summary}`;
  const show = summary.outcome === 'finished' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(text, 'Review Changes', 'Apply', 'Transcript');
  if (choice === 'Review Changes') await vscode.commands.executeCommand('corral.reviewChanges', summary.sessionId);
  if (choice === 'Apply') await vscode.commands.executeCommand('corral.applyChanges', summary.sessionId);
  if (choice === 'Transcript') await vscode.commands.executeCommand('corral.runs.openTranscript', { kind: 'run', runId: summary.runId } satisfies RunNode);
}

function describeRunError(error: { message: string; hint: string }): string {
  return `${error.message}. ${error.hint}`;
}

/** Asks for what `given` leaves open: goal (prompt or task), session, provider and model, budget. */
async function askParams(ctx: Ctx, sessions: SessionsTree, tasks: TasksTree, given: RunAgentArgs): Promise<AgentRunParams | undefined> {
  const params: AgentRunParams = {};
  if (given.prompt === undefined && given.task === undefined) {
    const kind = await vscode.window.showQuickPick(
      [
        { label: '$(edit) Describe what to do', value: 'prompt' as const },
        { label: '$(checklist) Work on a task of the board', value: 'task' as const },
      ],
      { placeHolder: 'What should the agent do?' },
    );
    if (!kind) return undefined;
    if (kind.value === 'prompt') {
      const prompt = await vscode.window.showInputBox({
        prompt: 'What should the agent do?',
        placeHolder: 'Make the tests pass',
        validateInput: (v) => (v.trim() ? undefined : 'Say what to do.'),
      });
      if (!prompt) return undefined;
      params.prompt = prompt.trim();
    } else {
      const items = tasks
        .list()
        .flatMap((board) =>
          (board.state?.tasks ?? [])
            .filter((task) => task.status !== 'done')
            .map((task) => ({ label: `${task.id}  ${task.title}`, description: `${task.status} · ${board.folder.name}`, board, task })),
        );
      if (items.length === 0) throw new Error('no open tasks: the workspace has no board, or every task is done');
      const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Which task?', matchOnDescription: true });
      if (!chosen) return undefined;
      params.task = chosen.task.id;
      params.board = chosen.board.path;
      params.repo = chosen.board.folder.uri.fsPath;
    }
  } else {
    if (given.prompt !== undefined) params.prompt = given.prompt;
    if (given.task !== undefined) params.task = given.task;
    if (given.board !== undefined) params.board = given.board;
  }
  if (given.repo !== undefined) params.repo = given.repo;

  if (given.session === undefined) {
    const folder = params.repo ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const open = sessions.list().filter((s) => ['ready', 'busy', 'paused'].includes(s.state));
    const choice = await vscode.window.showQuickPick(
      [
        ...(folder ? [{ label: `$(add) New session on ${path.basename(folder)}`, session: undefined }] : []),
        ...open.map((s) => ({ label: `$(vm) ${s.name ?? s.id.slice(0, 8)}`, description: `${s.state} · ${s.repo ?? 'empty'}`, session: s.id })),
      ],
      { placeHolder: 'Run in which session?' },
    );
    if (!choice) return undefined;
    if (choice.session !== undefined) params.session = choice.session;
    else if (folder) params.repo = folder;
  } else if (given.session !== null) {
    params.session = given.session;
  } else {
    const folder = params.repo ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) throw new Error('open a folder first: a new session works on a copy of it');
    params.repo = folder;
  }
  // A session given: the daemon knows its repository; a repo beside it would be ignored.
  if (params.session !== undefined && params.task === undefined) delete params.repo;

  const interactive = given.provider === undefined && given.model === undefined && given.budgetUsd === undefined && (given.prompt === undefined || given.session === undefined);
  let provider = given.provider ?? ctx.config.provider;
  let model = given.model ?? ctx.config.model;
  let budget = given.budgetUsd ?? (ctx.config.runBudgetUsd > 0 ? ctx.config.runBudgetUsd : undefined);
  if (interactive) {
    const chosen = await vscode.window.showInputBox({
      prompt: "Provider and model (provider/model; empty: the daemon's default from config.json)",
      value: provider ? `${provider}${model ? `/${model}` : ''}` : '',
      placeHolder: 'openai/gpt-4o',
    });
    if (chosen === undefined) return undefined;
    const [p, ...m] = chosen.trim().split('/');
    provider = p || undefined;
    model = m.join('/') || undefined;
    const budgetText = await vscode.window.showInputBox({
      prompt: "Budget of this run in USD (empty: the daemon's budgets)",
      value: budget === undefined ? '' : String(budget),
      validateInput: (v) => (v.trim() === '' || (Number.isFinite(Number(v)) && Number(v) > 0) ? undefined : 'A positive number of dollars, like 0.50.'),
    });
    if (budgetText === undefined) return undefined;
    budget = budgetText.trim() === '' ? undefined : Number(budgetText);
  }
  if (provider) params.provider = provider;
  if (model) params.model = model;
  if (budget !== undefined) params.budgetUsd = budget;
  return params;
}

async function pickRun(runs: RunsModel): Promise<string | undefined> {
  const items = runs
    .list()
    .map((run) => ({ label: run.goal.split('\n')[0]?.slice(0, 80) ?? run.runId, description: `${run.runId} · ${run.outcome ?? 'running'}`, runId: run.runId }));
  if (items.length === 0) throw new Error('no agent runs yet: run "Corral: Run Agent…"');
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Which run?' }))?.runId;
}

async function pickRunning(runs: RunsModel): Promise<{ runId: string } | undefined> {
  const running = runs.list().filter((run) => run.outcome === null);
  if (running.length === 0) throw new Error('no agent run is going');
  return (
    (await vscode.window.showQuickPick(
      running.map((run) => ({ label: run.goal.split('\n')[0]?.slice(0, 80) ?? run.runId, description: run.runId, runId: run.runId })),
      { placeHolder: 'Stop which run?' },
    )) ?? undefined
  );
}
