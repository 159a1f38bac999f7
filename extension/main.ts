import { performance } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import { Ctx } from './ctx';
import { Health, registerHealthCommands } from './health';
import { registerChangedFiles } from './sessions/changedFiles';
import { registerSessionCommands } from './sessions/sessionCommands';
import { SessionsTree } from './sessions/sessionsTree';
import { SessionTerminal } from './sessions/sessionTerminal';
import { registerTaskCommands } from './tasks/taskCommands';
import { TasksTree } from './tasks/tasksTree';
import { BoardLanguage } from './lsp/boardLanguage';
import { WebPanels } from './webview/panel';
import { BoardEditors } from './kanban/boardEditor';
import { registerAgentViews, type AgentViews } from './agentViews';
import { RunsModel } from './runs/runsModel';

/** What `activate` returns: the extension's parts, for its own tests in the extension host. */
export interface CorralApi {
  ctx: Ctx;
  sessions: SessionsTree;
  tasks: TasksTree;
  /** The Corral panel (the web app in a webview); its tests watch the page's requests through it. */
  web: WebPanels;
  /** The board editor (Open With… Corral Board): its tests act as its page and see what it drew. */
  boards: BoardEditors;
  /** The board language server's client, started when a board file is opened; other commands edit open boards through it. */
  boardLanguage: BoardLanguage;
  /** Time spent in `activate` (the connection is made afterwards, off the activation path). */
  activationMs: number;
  /** A terminal bridge to a session's TTY, as `corral.openTerminal` makes (tests read its output). */
  sessionTerminal(sessionId: string, label: string): SessionTerminal;
  /** Agent runs as the views show them (any client's runs). */
  runs: RunsModel;
  /** The Runs view, the sessions' source controls, the spend item, usage alerts. */
  agent: AgentViews;
  /** The daemon's and the engine's health, as "Corral: Doctor" reports it. */
  health: Health;
}

let ctx: Ctx | undefined;

/** Thin entry: build the context and the views, then connect without making VS Code wait. */
export function activate(extension: vscode.ExtensionContext): CorralApi {
  const started = performance.now();
  ctx = new Ctx(extension);
  const runs = new RunsModel(ctx);
  const sessions = new SessionsTree(ctx, runs);
  const tasks = new TasksTree(ctx);
  extension.subscriptions.push(
    ctx,
    sessions,
    tasks,
    ...registerSessionCommands(ctx, sessions),
    ...registerChangedFiles(),
    ...registerTaskCommands(ctx, tasks, (file, id, action) => boardLanguage.editOpenBoard(file, id, action)),
  );
  const web = new WebPanels(ctx, extension.extensionUri);
  extension.subscriptions.push(web);
  const boards = new BoardEditors(ctx, extension.extensionUri);
  extension.subscriptions.push(boards);
  const agent = registerAgentViews(ctx, runs, sessions, tasks);
  extension.subscriptions.push(runs, ...agent.disposables);
  const health = new Health(ctx);
  extension.subscriptions.push(health, ...registerHealthCommands(ctx, health));
  const boardLanguage = new BoardLanguage(ctx, extension);
  extension.subscriptions.push(boardLanguage);
  void ctx.start();
  const activationMs = performance.now() - started;
  ctx.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  const context = ctx;
  return {
    ctx,
    sessions,
    tasks,
    web,
    boardLanguage,
    boards,
    activationMs,
    sessionTerminal: (sessionId, label) => new SessionTerminal(context, sessionId, label),
    health,
    runs,
    agent,
  };
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
