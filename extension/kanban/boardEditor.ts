import * as path from 'node:path';
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCode, TasksListParams, TasksUpdateParams, type TaskInfo } from '../../server/protocol';
import { webAppHtml, webAppOptions } from '../webview/appPage';
import { Methods } from '../../webview/methods';
import type { Ctx } from '../ctx';
import { BoardEditError, editedText, editsFor, listDocument } from './boardDocument';
import { textChanges } from './textChanges';

/** What the kanban page reported after drawing a version of the document (tests and timing read it). */
export interface BoardRendered {
  uri: vscode.Uri;
  /** The document version shown. */
  version: string;
  /** Milliseconds the page took to build its DOM. */
  ms: number;
  /** Card ids by column status, as shown. */
  columns: Record<string, string[]>;
}

type Reply = { result: unknown } | { error: { code: number; message: string; data: { hint: string } } };
interface RpcMessage {
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** What the page may have the extension ask the daemon for it (cost so far, runs). */
const FORWARDED = new Set([Methods.agentRun.method, Methods.agentList.method, Methods.usageQuery.method]);
const ATTEMPTS = 5;

class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * One open board editor: the kanban page in the webview, the TextDocument as its model. The page
 * speaks the web app's JSON-RPC; `tasks/list` and `tasks/update` are answered here from the
 * document (a move is a WorkspaceEdit, never a write of the file), the daemon's methods forwarded.
 */
export class BoardEditor implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly document: vscode.TextDocument,
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
    private readonly extensionUri: vscode.Uri,
    private readonly rendered: (event: BoardRendered) => void,
  ) {
    panel.webview.options = webAppOptions(extensionUri);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: { corral?: unknown; message?: RpcMessage }) => {
        // A refusal has been answered to the page already; nothing more to do with it here.
        if (data.corral === 'rpc' && data.message) this.receive(data.message).catch(() => undefined);
      }),
      // Every change of the text (typing, undo, git, a move here or in another editor of it): the page reads it again.
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === document && event.contentChanges.length > 0) this.notify('tasks/changed', { board: this.board, version: String(document.version) });
      }),
    );
  }

  get board(): string {
    return this.document.uri.fsPath;
  }

  /**
   * One JSON-RPC message of the page (a request with an id, or the `kanban/rendered` notice);
   * the page's channel calls it, and so may a test, to act as the page would.
   */
  async receive(message: RpcMessage): Promise<unknown> {
    const method = typeof message.method === 'string' ? message.method : '';
    if (message.id === undefined) {
      if (method === 'kanban/rendered') this.onRendered(message.params);
      return undefined;
    }
    const reply = await this.answer(method, message.params);
    void this.panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', id: message.id, ...reply } });
    if ('error' in reply) throw new ResponseError(reply.error.code, reply.error.message, reply.error.data);
    return reply.result;
  }

  private async answer(method: string, params: unknown): Promise<Reply> {
    try {
      return { result: await this.call(method, params) };
    } catch (error) {
      if (error instanceof Refusal) return { error: { code: error.code, message: error.message, data: { hint: error.hint } } };
      if (error instanceof BoardEditError)
        return { error: { code: ErrorCode.Conflict, message: error.message, data: { hint: 'nothing was changed; edit the text for this one' } } };
      if (error instanceof ResponseError) {
        const hint = (error.data as { hint?: unknown } | undefined)?.hint;
        return { error: { code: error.code, message: error.message, data: { hint: typeof hint === 'string' ? hint : '' } } };
      }
      return { error: { code: ErrorCode.Internal, message: String(error), data: { hint: 'see the Corral output channel' } } };
    }
  }

  private async call(method: string, params: unknown): Promise<unknown> {
    const connection = this.ctx.connection;
    switch (method) {
      case 'corral/hello':
        if (connection === undefined) throw new Refusal(-1, 'not connected to the Corral daemon', 'the board works without it; runs and costs need it');
        return connection.hello;
      case Methods.tasksList.method: {
        const p = this.parse(TasksListParams, params);
        return listDocument(p.board, String(this.document.version), this.document.getText());
      }
      case Methods.tasksUpdate.method: {
        const p = this.parse(TasksUpdateParams, params);
        // One change after another: each is computed on the text the previous one left.
        const next = this.queue.then(() => this.update(p));
        this.queue = next.catch(() => undefined);
        return next;
      }
    }
    if (!FORWARDED.has(method))
      throw new Refusal(-32601, `${method} is not available to the board editor`, 'the board editor reads and edits its document; open the Corral panel for the rest');
    if (connection === undefined) throw new Refusal(-1, 'not connected to the Corral daemon', 'wait for the status bar to say connected');
    // An agent run works in the repository of the board's workspace folder.
    const folder = vscode.workspace.getWorkspaceFolder(this.document.uri)?.uri.fsPath;
    const forwarded = method === Methods.agentRun.method && folder !== undefined && typeof params === 'object' && params !== null ? { ...params, repo: folder } : params;
    return connection.rpc.sendRequest(method, forwarded);
  }

  private parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, params: unknown): T {
    const parsed = schema.safeParse(params);
    if (!parsed.success) throw new Refusal(ErrorCode.InvalidParams, `bad params: ${parsed.error.message}`, 'the page and the extension disagree: reopen the editor');
    const board = (parsed.data as { board: string }).board;
    if (board !== this.board) throw new Refusal(ErrorCode.Forbidden, `this editor edits ${path.basename(this.board)}, not ${board}`, 'open that board in its own editor');
    return parsed.data;
  }

  /**
   * The action as the board's surgical edits on the document's current text, applied as a
   * WorkspaceEdit. Decided on an older version (the user typed meanwhile), it is made again on
   * the text as it is now — by task id, so it lands on the right lines or is refused. VS Code
   * refuses an edit whose document changed between here and its renderer; it is then recomputed.
   */
  private async update(p: TasksUpdateParams): Promise<{ board: string; version: string; warnings: string[]; task: TaskInfo | null; reapplied: boolean }> {
    const user = this.ctx.connection?.hello.identity.user ?? process.env.USER ?? 'me';
    const edits = editsFor(user, new Date(), p);
    let reapplied = p.version !== undefined && p.version !== String(this.document.version);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const version = this.document.version;
      const text = this.document.getText();
      const next = editedText(text, edits);
      if (next !== text) {
        const edit = new vscode.WorkspaceEdit();
        for (const change of textChanges(text, next))
          edit.replace(this.document.uri, new vscode.Range(this.document.positionAt(change.start), this.document.positionAt(change.end)), change.text);
        if (this.document.version !== version || !(await vscode.workspace.applyEdit(edit))) {
          reapplied = true;
          continue;
        }
      }
      const state = listDocument(this.board, String(this.document.version), this.document.getText());
      return { board: state.board, version: state.version, warnings: state.warnings, task: state.tasks.find((t) => t.id === p.id) ?? null, reapplied };
    }
    throw new Refusal(ErrorCode.Conflict, `${path.basename(this.board)} kept changing while the board editor tried to change it`, 'nothing was changed; try again');
  }

  private onRendered(params: unknown): void {
    const p = typeof params === 'object' && params !== null ? (params as { version?: unknown; ms?: unknown; columns?: unknown }) : {};
    if (typeof p.version !== 'string' || typeof p.ms !== 'number') return;
    const columns = typeof p.columns === 'object' && p.columns !== null ? (p.columns as Record<string, string[]>) : {};
    this.rendered({ uri: this.document.uri, version: p.version, ms: p.ms, columns });
  }

  private notify(method: string, params: unknown): void {
    void this.panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', method, params } });
  }

  private html(): string {
    // The board travels as the page's route: the page asks for it by name, as the browser app does.
    return webAppHtml(this.panel.webview, this.extensionUri, 'kanbanEditor.js', `#/kanban?file=${encodeURIComponent(this.board)}`);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/**
 * "Corral Board": the kanban as a custom editor of board files (Open With…, `corral.openBoard`).
 * Its document is the text file itself: the text editor and the kanban show one document, and
 * every change is an edit of it, saved (or not) by the user like any other.
 */
export class BoardEditors implements vscode.CustomTextEditorProvider, vscode.Disposable {
  static readonly viewType = 'corral.board';
  private readonly editors = new Set<BoardEditor>();
  private readonly renderedEmitter = new vscode.EventEmitter<BoardRendered>();
  /** Each drawing of a board by a kanban page (the tests wait on it; it carries the time taken). */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly ctx: Ctx,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.disposables = [
      this.renderedEmitter,
      vscode.window.registerCustomEditorProvider(BoardEditors.viewType, this, { supportsMultipleEditorsPerDocument: true }),
      vscode.commands.registerCommand('corral.openBoard', (uri?: unknown) => this.open(uri instanceof vscode.Uri ? uri : undefined)),
    ];
  }

  /** The open board editors, for the tests to act as their pages would. */
  get openEditors(): readonly BoardEditor[] {
    return [...this.editors];
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const editor = new BoardEditor(document, panel, this.ctx, this.extensionUri, (event) => this.renderedEmitter.fire(event));
    this.editors.add(editor);
    panel.onDidDispose(() => {
      editor.dispose();
      this.editors.delete(editor);
    });
  }

  /** Opens a board with the kanban: the given one, the active editor's markdown, or the workspace's board. */
  private async open(uri: vscode.Uri | undefined): Promise<void> {
    const active = vscode.window.activeTextEditor?.document;
    const target = uri ?? (active?.languageId === 'markdown' ? active.uri : await this.workspaceBoard());
    if (target === undefined) {
      void vscode.window
        .showErrorMessage(`Corral: no board found (looked for ${this.ctx.config.boardFiles.join(', ')} in the workspace folders).`, 'Create Task Board')
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('corral.tasks.init');
        });
      return;
    }
    await vscode.commands.executeCommand('vscode.openWith', target, BoardEditors.viewType);
  }

  private async workspaceBoard(): Promise<vscode.Uri | undefined> {
    for (const folder of vscode.workspace.workspaceFolders ?? [])
      for (const file of this.ctx.config.boardFiles) {
        const uri = vscode.Uri.joinPath(folder.uri, file);
        try {
          await vscode.workspace.fs.stat(uri);
          return uri;
        } catch {
          // Not there: the next name.
        }
      }
    return undefined;
  }

  dispose(): void {
    for (const editor of this.editors) editor.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
