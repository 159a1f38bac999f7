import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';

/** The daemon's message with its hint (what to do next), or a plain error's message. */
export function describeError(error: unknown): string {
  if (error instanceof ResponseError) {
    const data: unknown = error.data;
    const hint = typeof data === 'object' && data !== null && 'hint' in data && typeof data.hint === 'string' ? data.hint : '';
    return hint.length > 0 ? `${error.message}. ${hint}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Registers a command whose failures are shown once, as an error notification: the one place
 * where the extension turns errors into UI.
 */
export function registerCommand<A extends unknown[]>(id: string, run: (...args: A) => Promise<unknown> | unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => {
    try {
      return await run(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Corral: ${describeError(error)}`);
      return undefined;
    }
  });
}
