import * as vscode from 'vscode';
import { SessionChanged, SessionDiff, SessionList, SessionShow, UsageQuery, type SessionInfo } from '../../server/protocol';
import { changedFileItem, type ChangedFileNode } from './changedFiles';
import type { Connected, Ctx } from '../ctx';
import { describeError } from '../errors';
import { sessionContextValue, sessionDescription, sessionLabel, sessionTooltip, stateIcon } from './present';
import { runItem, type RunNode } from '../runs/present';
import type { RunsModel } from '../runs/runsModel';

/** A session (by id), one of its agent runs, or one of its changed files. */
export type SessionNode = string | ChangedFileNode | Extract<RunNode, { kind: 'run' }>;

/** States whose workspace still exists, so its changes can be listed. */
const HAS_WORKSPACE = new Set(['ready', 'busy', 'paused', 'stopped', 'failed', 'lost']);

/**
 * The Sessions view: one item per session of yours, kept live by `session/changed` (no polling).
 * Every (re)connection lists everything again, so a daemon restart cannot leave stale items.
 * Sessions are their ids (the data lives in `sessions`); a session expands into its agent runs
 * (live from the runs model) and its changed files.
 */
export class SessionsTree implements vscode.TreeDataProvider<SessionNode>, vscode.Disposable {
  static readonly viewType = 'corral.sessions';
  private readonly sessions = new Map<string, SessionInfo>();
  private costs = new Map<string, number>();
  /** While a list is in flight, notifications are held and applied after it (they are newer). */
  private held: SessionInfo[] | undefined;
  private readonly changed = new vscode.EventEmitter<SessionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly bag: vscode.Disposable[] = [this.changed];
  readonly view: vscode.TreeView<SessionNode>;

  constructor(
    private readonly ctx: Ctx,
    private readonly runs: RunsModel,
  ) {
    this.view = vscode.window.createTreeView(SessionsTree.viewType, { treeDataProvider: this, showCollapseAll: false });
    this.bag.push(
      this.view,
      ctx.notifications.on(SessionChanged, (session) => this.apply(session)),
      runs.onDidChange((run) => {
        // A run's progress redraws its session's item (its children: the run, the files it changed).
        if (run === undefined) this.changed.fire(undefined);
        else if (this.sessions.has(run.sessionId)) this.changed.fire(run.sessionId);
      }),
      ctx.whenConnected((connected) => void this.resync(connected)),
      ctx.onDidChangeState((state) => {
        this.view.message = state.kind === 'waiting' ? `Not connected to the Corral daemon: ${state.message}. Reconnecting…` : undefined;
      }),
    );
  }

  /** Sessions as shown, for commands and tests. */
  list(): SessionInfo[] {
    return [...this.sessions.values()];
  }

  get(id: string): SessionInfo | undefined {
    return this.sessions.get(id);
  }

  getChildren(element?: SessionNode): SessionNode[] | Promise<SessionNode[]> {
    if (typeof element === 'string') return this.children(element);
    if (element !== undefined) return [];
    // Newest first: the session you just started is on top.
    return this.list()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((session) => session.id);
  }

  getTreeItem(node: SessionNode): vscode.TreeItem {
    if (typeof node !== 'string') {
      if (node.kind === 'file') return changedFileItem(node);
      const run = this.runs.get(node.runId);
      if (!run) return new vscode.TreeItem(node.runId);
      const item = runItem(run);
      // Its steps are in the Runs view; here a run is one line under its session.
      item.id = `session-run:${run.runId}`;
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      return item;
    }
    const id = node;
    const session = this.sessions.get(id);
    if (!session) return new vscode.TreeItem(id);
    const expandable = (session.repo !== null && HAS_WORKSPACE.has(session.state)) || this.runs.ofSession(id).length > 0;
    const item = new vscode.TreeItem(sessionLabel(session), expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = session.id;
    item.iconPath = stateIcon(session.state);
    item.description = sessionDescription(session, this.costs.get(id));
    item.contextValue = sessionContextValue(session);
    item.accessibilityInformation = { label: `Session ${sessionLabel(session)}, ${item.description}` };
    return item;
  }

  /** The full tooltip needs `session/show`: fetched only for the item the user hovers. */
  async resolveTreeItem(item: vscode.TreeItem, node: SessionNode): Promise<vscode.TreeItem> {
    if (typeof node !== 'string') return item;
    const id = node;
    const session = this.sessions.get(id);
    if (!session) return item;
    const connection = this.ctx.connection;
    try {
      const detail = connection ? await connection.rpc.sendRequest(SessionShow, { session: id }) : undefined;
      item.tooltip = sessionTooltip(detail?.session ?? session, this.costs.get(id), detail);
    } catch {
      item.tooltip = sessionTooltip(session, this.costs.get(id));
    }
    return item;
  }

  getParent(node: SessionNode): SessionNode | undefined {
    if (typeof node === 'string') return undefined;
    return node.kind === 'file' ? node.session.id : this.runs.get(node.runId)?.sessionId;
  }

  /** The session's agent runs (newest first), then the files it changed. */
  private async children(id: string): Promise<SessionNode[]> {
    const runs: SessionNode[] = this.runs.ofSession(id).map((run) => ({ kind: 'run', runId: run.runId }));
    return [...runs, ...(await this.changedFiles(id))];
  }

  /** What the session changed against its base (`session/diff`, the daemon's trusted reading). */
  private async changedFiles(id: string): Promise<SessionNode[]> {
    const session = this.sessions.get(id);
    const connection = this.ctx.connection;
    if (!session || !connection || session.repo === null || !HAS_WORKSPACE.has(session.state)) return [];
    try {
      const diff = await connection.rpc.sendRequest(SessionDiff, { session: id });
      return diff.files.map((file) => ({ kind: 'file' as const, session, base: diff.base, file }));
    } catch (error) {
      this.ctx.log.error(`listing the changes of ${id} failed: ${describeError(error)}`);
      return [];
    }
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private async resync({ connection }: Connected): Promise<void> {
    this.held = [];
    try {
      const [sessions, usage] = await Promise.all([
        connection.rpc.sendRequest(SessionList, {}),
        connection.rpc.sendRequest(UsageQuery, { by: 'session', since: '365d' }).catch(() => undefined),
      ]);
      this.sessions.clear();
      for (const session of sessions) if (session.state !== 'removed') this.sessions.set(session.id, session);
      if (usage) this.costs = new Map(usage.rows.map((row) => [row.key, row.costUsd]));
    } catch (error) {
      this.ctx.log.error(`listing sessions failed: ${describeError(error)}`);
    } finally {
      const held = this.held ?? [];
      this.held = undefined;
      for (const session of held) this.apply(session);
      this.changed.fire(undefined);
    }
  }

  private apply(session: SessionInfo): void {
    if (this.held) {
      this.held.push(session);
      return;
    }
    if (session.state === 'removed') this.sessions.delete(session.id);
    else this.sessions.set(session.id, session);
    this.changed.fire(undefined);
  }
}
