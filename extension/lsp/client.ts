// Its own bundle (dist/lspClient.js), loaded when the first board is opened: vscode-languageclient
// stays out of the extension's activation.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { BoardEdit, type BoardEditResult, type TaskAction } from '../../server/lsp/lspExt';

export interface ClientSettings {
  /** dist/cli.js of the extension: the server is `corral lsp --stdio`, run with the extension host's Node. */
  cli: string;
  home: string;
  boardFiles: string[];
}

/** The running client and what the extension asks of it. */
export interface BoardClient {
  /** The change an action makes to the open board, or null when the server does not have it open. */
  edit(uri: vscode.Uri, id: string, action: TaskAction): Promise<vscode.WorkspaceEdit | null>;
  stop(): Promise<void>;
}

export async function startBoardClient(settings: ClientSettings): Promise<BoardClient> {
  const run = { module: settings.cli, args: ['lsp', '--stdio'], transport: TransportKind.stdio, options: { env: { ...process.env, CORRAL_HOME: settings.home } } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    // The board files under the markdown language: highlighting and preview stay markdown's.
    documentSelector: settings.boardFiles.map((file) => ({ language: 'markdown', scheme: 'file', pattern: `**/${file}` })),
    initializationOptions: { boardFiles: settings.boardFiles },
  };
  const client = new LanguageClient('corral.board', 'Corral Board', serverOptions, clientOptions);
  await client.start();
  return {
    edit: async (uri, id, action) => {
      const result: BoardEditResult | null = await client.sendRequest(BoardEdit, { uri: uri.toString(), id, action });
      if (!result) return null;
      const edit = new vscode.WorkspaceEdit();
      for (const e of result.edits) edit.replace(uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
      return edit;
    },
    stop: () => client.stop(),
  };
}
