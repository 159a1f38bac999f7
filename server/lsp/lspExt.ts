// Corral's own LSP messages, declared once for the server and the VS Code client (the way
// rust-analyzer's lsp_ext.ts does). Only vscode-jsonrpc types: the extension may import this file.
import { RequestType } from 'vscode-jsonrpc';
import type { TaskAction } from './service/edits';

export interface BoardEditParams {
  /** The open board's document URI. */
  uri: string;
  id: string;
  action: TaskAction;
}

/** A versioned edit of one open document, as LSP's `WorkspaceEdit.documentChanges` carries it. */
export interface BoardEditResult {
  uri: string;
  version: number;
  edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[];
}

/**
 * `corral/boardEdit`: the change an action on a task makes to the open board's text (its
 * unsaved edits included), for the client to apply to the document; null when the server does
 * not have the document open. A change the board cannot show is a ResponseError with the reason.
 */
export const BoardEdit = new RequestType<BoardEditParams, BoardEditResult | null, void>('corral/boardEdit');

/** The commands the server's code lenses run, carried out by the server (`workspace/executeCommand`). */
export const LspCommands = ['corral.lsp.runAgent', 'corral.lsp.edit'] as const;

export type { TaskAction };
