import * as path from 'node:path';
import * as vscode from 'vscode';
import { SessionChanged, SessionDiff, type SessionInfo } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';
import type { RunsModel } from '../runs/runsModel';
import type { ChangedFileNode } from '../sessions/changedFiles';
import type { SessionsTree } from '../sessions/sessionsTree';

/** States whose workspace still exists, so its changes can be read and applied. */
const HAS_WORKSPACE = new Set(['ready', 'busy', 'paused', 'stopped', 'failed', 'lost']);

/** A burst of changes (an agent writing files step after step) is read once when it settles. */
const SETTLE_MS = 400;

/** One session's changes in the Source Control view. */
interface SessionScm {
  sessionId: string;
  scm: vscode.SourceControl;
  group: vscode.SourceControlResourceGroup;
  files: ChangedFileNode[];
}

/**
 * Each session of yours with changes against its base is a `SourceControl` ("Corral: name") with a
 * "Changes" group: one resource per file, `+N −M` in its tooltip, a click opens its diff. Read
 * again when the session changes or one of its runs moves; a session without changes (or gone)
 * has none.
 */
export class SessionChanges implements vscode.Disposable {
  private readonly byId = new Map<string, SessionScm>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changedEmitter = new vscode.EventEmitter<string>();
  /** A session's changes were read again (its id). */
  readonly onDidChange = this.changedEmitter.event;
  private readonly bag: vscode.Disposable[] = [this.changedEmitter];

  constructor(
    private readonly ctx: Ctx,
    private readonly sessions: SessionsTree,
    runs: RunsModel,
  ) {
    this.bag.push(
      ctx.notifications.on(SessionChanged, (session) => this.schedule(session.id)),
      runs.onDidEvent(({ run, event }) => {
        // Tools write files; the end of a run is when its work is complete.
        if (event === undefined || event.kind === 'tool') this.schedule(run.sessionId);
      }),
      ctx.whenConnected(() => {
        for (const session of this.sessions.list()) this.schedule(session.id);
      }),
      sessions.onDidChangeTreeData((node) => {
        // A full relist (a reconnection): sessions may have gone while disconnected.
        if (node === undefined) for (const id of [...this.byId.keys()]) if (!this.sessions.get(id)) this.drop(id);
      }),
      { dispose: () => this.timers.forEach((timer) => clearTimeout(timer)) },
    );
  }

  /** The session's source control, if it has changes. */
  get(sessionId: string): { scm: vscode.SourceControl; group: vscode.SourceControlResourceGroup; files: ChangedFileNode[] } | undefined {
    return this.byId.get(sessionId);
  }

  /** The session behind a Source Control view's title or group action. */
  sessionOf(target: unknown): string | undefined {
    for (const entry of this.byId.values())
      if (target === entry.scm || target === entry.group || (isScmLike(target) && target.rootUri?.toString() === entry.scm.rootUri?.toString() && target.label === entry.scm.label))
        return entry.sessionId;
    return undefined;
  }

  /** Reads the session's changes now (after an apply, or for a test). */
  async refresh(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    const connection = this.ctx.connection;
    if (!session || !connection || session.repo === null || !HAS_WORKSPACE.has(session.state)) return this.drop(sessionId);
    try {
      const diff = await connection.rpc.sendRequest(SessionDiff, { session: sessionId });
      const files: ChangedFileNode[] = diff.files.map((file) => ({ kind: 'file', session, base: diff.base, file }));
      if (files.length === 0) this.drop(sessionId);
      else this.show(session, files);
    } catch (error) {
      this.ctx.log.error(`reading the changes of ${sessionId} failed: ${describeError(error)}`);
    }
    this.changedEmitter.fire(sessionId);
  }

  dispose(): void {
    for (const id of [...this.byId.keys()]) this.drop(id);
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private schedule(sessionId: string): void {
    clearTimeout(this.timers.get(sessionId));
    this.timers.set(
      sessionId,
      setTimeout(() => {
        this.timers.delete(sessionId);
        void this.refresh(sessionId);
      }, SETTLE_MS),
    );
  }

  private show(session: SessionInfo, files: ChangedFileNode[]): void {
    let entry = this.byId.get(session.id);
    if (!entry) {
      const root = session.repoRoot ?? session.repo ?? undefined;
      const scm = vscode.scm.createSourceControl('corral', `Corral: ${session.name ?? session.id.slice(0, 8)}`, root ? vscode.Uri.file(root) : undefined);
      scm.inputBox.visible = false;
      const group = scm.createResourceGroup('changes', 'Changes');
      group.hideWhenEmpty = true;
      entry = { sessionId: session.id, scm, group, files };
      this.byId.set(session.id, entry);
    }
    const root = session.repoRoot ?? session.repo ?? '/';
    entry.files = files;
    entry.scm.count = files.length;
    entry.group.resourceStates = files.map((node) => resourceState(root, node));
  }

  private drop(sessionId: string): void {
    const entry = this.byId.get(sessionId);
    if (!entry) return;
    this.byId.delete(sessionId);
    entry.group.dispose();
    entry.scm.dispose();
    this.changedEmitter.fire(sessionId);
  }
}

const STATUS_WORDS: Record<string, string> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type changed' };

function resourceState(root: string, node: ChangedFileNode): vscode.SourceControlResourceState {
  const { file } = node;
  const lines = file.binary ? 'binary' : `+${file.added} −${file.deleted}`;
  return {
    resourceUri: vscode.Uri.file(path.join(root, file.path)),
    command: { command: 'corral.session.openFileDiff', title: 'Open Changes', arguments: [node] },
    decorations: {
      tooltip: `${file.path}: ${lines} · ${STATUS_WORDS[file.status] ?? file.status}${file.from ? ` from ${file.from}` : ''}`,
      strikeThrough: file.status === 'D',
      faded: false,
    },
    contextValue: `corral.file:${file.status}`,
  };
}

function isScmLike(value: unknown): value is { rootUri?: vscode.Uri; label?: string } {
  return typeof value === 'object' && value !== null && 'label' in value;
}
