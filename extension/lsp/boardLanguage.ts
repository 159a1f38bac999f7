import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskAction } from '../../server/lsp/lspExt';
import type { Ctx } from '../ctx';
import type { BoardClient } from './client';

type Load = () => Promise<typeof import('./client')>;

/**
 * The task board as a language in VS Code: the board language server (`corral lsp --stdio`, the
 * same as for any editor) through vscode-languageclient, started when the first board file is
 * opened, never at activation. Also the way other commands edit a board a person is typing in:
 * the open document, through a WorkspaceEdit, never the file under their typing.
 */
export class BoardLanguage implements vscode.Disposable {
  private client: Promise<BoardClient> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly extension: vscode.ExtensionContext,
    private readonly load: Load = () => import('./client'),
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.opened(doc)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('corral.boardFiles') || event.affectsConfiguration('corral.home')) void this.restart();
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.opened(doc);
  }

  /** Whether the document is a board: a markdown file named as `corral.boardFiles` says. */
  isBoard(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' || doc.languageId !== 'markdown') return false;
    const file = doc.uri.fsPath.split(path.sep).join('/');
    return this.ctx.config.boardFiles.some((name) => file === name || file.endsWith(`/${name}`));
  }

  /** The client, started now if no board was opened yet. */
  started(): Promise<BoardClient> {
    return (this.client ??= this.load()
      .then((module) => module.startBoardClient({ cli: this.extension.asAbsolutePath('dist/cli.js'), home: this.ctx.config.home, boardFiles: this.ctx.config.boardFiles }))
      .catch((error: unknown) => {
        this.client = undefined;
        this.ctx.log.error(`the board language server did not start: ${(error as Error).message}`);
        throw error;
      }));
  }

  /**
   * Makes an action on a task in the open, unsaved board `file` as an edit of its document; false
   * when no editor holds unsaved changes of it (the caller then asks the daemon, which edits the file).
   */
  async editOpenBoard(file: string, id: string, action: TaskAction): Promise<boolean> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (!doc?.isDirty) return false;
    const client = await this.started();
    const edit = await client.edit(doc.uri, id, action);
    if (!edit) return false;
    return vscode.workspace.applyEdit(edit);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.client?.then(
      (c) => c.stop(),
      () => undefined,
    );
    this.client = undefined;
  }

  private opened(doc: vscode.TextDocument): void {
    if (this.client === undefined && this.isBoard(doc)) void this.started().catch(() => undefined);
  }

  private async restart(): Promise<void> {
    const running = this.client;
    this.client = undefined;
    if (!running) return;
    await running.then(
      (c) => c.stop(),
      () => undefined,
    );
    for (const doc of vscode.workspace.textDocuments) this.opened(doc);
  }
}
