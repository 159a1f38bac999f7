import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TasksChanged, TasksList, type BoardState, type TaskInfo, type TaskStatusName } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';

/** One workspace folder's board and what the daemon last said about it. */
export interface Board {
  folder: vscode.WorkspaceFolder;
  path: string;
  state?: BoardState & { tasks: TaskInfo[] };
  error?: string;
}

export type TaskNode =
  { kind: 'folder'; board: Board } | { kind: 'status'; board: Board; status: TaskStatusName | 'other'; tasks: TaskInfo[] } | { kind: 'task'; board: Board; task: TaskInfo };

/** Lanes in the order people work them; done last and folded. `other`: a status in words Corral does not know. */
const STATUS_ORDER: (TaskStatusName | 'other')[] = ['in_progress', 'review', 'blocked', 'todo', 'other', 'done'];
const STATUS_LABELS: Record<TaskStatusName | 'other', string> = {
  in_progress: 'In progress',
  review: 'Review',
  blocked: 'Blocked',
  todo: 'Todo',
  other: 'Other status',
  done: 'Done',
};
const STATUS_ICONS: Record<TaskStatusName | 'other', [string, string]> = {
  other: ['question', 'foreground'],
  in_progress: ['play-circle', 'charts.blue'],
  review: ['eye', 'charts.purple'],
  blocked: ['circle-slash', 'charts.red'],
  todo: ['circle-large-outline', 'foreground'],
  done: ['pass-filled', 'charts.green'],
};

/**
 * The Tasks view: the board of each workspace folder (the first of `corral.boardFiles` found),
 * grouped by status with counts. Live from `tasks/changed`; listed again on every reconnection.
 */
export class TasksTree implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  static readonly viewType = 'corral.tasks';
  private boards: Board[] = [];
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly bag: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];
  readonly view: vscode.TreeView<TaskNode>;

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(TasksTree.viewType, { treeDataProvider: this, showCollapseAll: true });
    this.bag.push(
      this.view,
      ctx.notifications.on(TasksChanged, (changed) => this.onBoardChanged(changed)),
      // Every (re)connection: list again, which also makes the new daemon watch the boards.
      ctx.whenConnected(() => void this.refreshAll()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refreshAll()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('corral.boardFiles')) void this.refreshAll();
      }),
      { dispose: () => this.watchers.splice(0).forEach((watcher) => watcher.dispose()) },
    );
    this.findBoards();
  }

  /** The boards as shown, for commands and tests. */
  list(): readonly Board[] {
    return this.boards;
  }

  boardOf(boardPath: string): Board | undefined {
    return this.boards.find((board) => board.path === boardPath);
  }

  /** Lists every board again (after an edit, a new board, a reconnection). */
  async refreshAll(): Promise<void> {
    this.findBoards();
    await Promise.all(this.boards.map((board) => this.load(board)));
  }

  /** Lists one board again. */
  async load(board: Board): Promise<void> {
    const connection = this.ctx.connection;
    if (!connection) return;
    try {
      board.state = await connection.rpc.sendRequest(TasksList, { board: board.path });
      board.error = undefined;
    } catch (error) {
      board.error = describeError(error);
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: TaskNode): TaskNode[] {
    if (!node) {
      if (this.boards.length === 1 && this.boards[0]) return this.statusNodes(this.boards[0]);
      return this.boards.map((board) => ({ kind: 'folder', board }));
    }
    switch (node.kind) {
      case 'folder':
        return this.statusNodes(node.board);
      case 'status':
        return node.tasks.map((task) => ({ kind: 'task', board: node.board, task }));
      case 'task': {
        const tasks = node.board.state?.tasks ?? [];
        return node.task.children.flatMap((id) => tasks.filter((task) => task.id === id)).map((task) => ({ kind: 'task', board: node.board, task }));
      }
    }
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.board.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.board.error ?? path.relative(node.board.folder.uri.fsPath, node.board.path);
        item.iconPath = new vscode.ThemeIcon(node.board.error ? 'warning' : 'checklist');
        item.tooltip = node.board.error ?? node.board.path;
        return item;
      }
      case 'status': {
        const item = new vscode.TreeItem(STATUS_LABELS[node.status], node.status === 'done' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.board.path}#${node.status}`;
        item.description = String(node.tasks.length);
        item.contextValue = `taskStatus:${node.status}`;
        return item;
      }
      case 'task':
        return this.taskItem(node.board, node.task);
    }
  }

  getParent(node: TaskNode): TaskNode | undefined {
    if (node.kind === 'folder') return undefined;
    if (node.kind === 'status') return this.boards.length === 1 ? undefined : { kind: 'folder', board: node.board };
    return undefined;
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private statusNodes(board: Board): TaskNode[] {
    const tasks = board.state?.tasks ?? [];
    const topLevel = tasks.filter((task) => task.parent === null);
    return STATUS_ORDER.map((status) => ({ kind: 'status' as const, board, status, tasks: topLevel.filter((task) => task.status === status) })).filter(
      (node) => node.tasks.length > 0 || node.status === 'in_progress' || node.status === 'todo',
    );
  }

  private taskItem(board: Board, task: TaskInfo): vscode.TreeItem {
    const tasks = board.state?.tasks ?? [];
    const subtasks = task.children.map((id) => tasks.find((candidate) => candidate.id === id)).filter((sub): sub is TaskInfo => sub !== undefined);
    const item = new vscode.TreeItem(`${task.id}  ${task.title}`, subtasks.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `${board.path}#${task.id}`;
    const parts: string[] = [];
    if (task.assignees.length > 0) parts.push(task.assignees.map((name) => `@${name}`).join(' '));
    if (subtasks.length > 0) parts.push(`${subtasks.filter((sub) => sub.status === 'done').length}/${subtasks.length}`);
    item.description = parts.join(' · ');
    const [icon, color] = STATUS_ICONS[task.status];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.contextValue = `task:${task.status}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${task.id}** ${task.title.replace(/[\\`*_[\]<>]/g, '\\$&')}\n\n`);
    tooltip.appendMarkdown(`${STATUS_LABELS[task.status]}${task.section ? ` · section “${task.section}”` : ''} · line ${task.line}`);
    if (task.assignees.length > 0) tooltip.appendMarkdown(` · ${task.assignees.map((name) => `@${name}`).join(', ')}`);
    if (task.tags.length > 0) tooltip.appendMarkdown(`\n\n${task.tags.map((tag) => `\`${tag}\``).join(' ')}`);
    if (!task.explicitId) tooltip.appendMarkdown('\n\n*No id on the board: this one is derived from the title and changes with it.*');
    item.tooltip = tooltip;
    item.command = { command: 'corral.tasks.reveal', title: 'Open in Board', arguments: [board.path, task.line] };
    item.accessibilityInformation = { label: `${task.id} ${task.title}, ${STATUS_LABELS[task.status]}${item.description ? `, ${item.description}` : ''}` };
    return item;
  }

  private findBoards(): void {
    const previous = new Map(this.boards.map((board) => [board.path, board]));
    const boards: Board[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = this.ctx.config.boardFiles.map((name) => path.join(folder.uri.fsPath, name)).find((candidate) => fs.existsSync(candidate));
      if (file) boards.push(previous.get(file) ?? { folder, path: file });
    }
    this.boards = boards;
    this.watch();
    void vscode.commands.executeCommand('setContext', 'corral.tasks.noBoard', boards.length === 0);
    this.changed.fire(undefined);
  }

  /** A board created or deleted (by `tasks init`, git, a person) shows up or goes away. */
  private watch(): void {
    this.watchers.splice(0).forEach((watcher) => watcher.dispose());
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const name of this.ctx.config.boardFiles) {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, name), false, true, false);
        watcher.onDidCreate(() => void this.refreshAll());
        watcher.onDidDelete(() => void this.refreshAll());
        this.watchers.push(watcher);
      }
    }
  }

  private onBoardChanged({ board: boardPath, version }: { board: string; version: string }): void {
    const board = this.boardOf(boardPath);
    if (board && board.state?.version !== version) void this.load(board);
  }
}
