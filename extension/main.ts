import type * as vscode from 'vscode';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

/** Thin entry: build the context and start it. */
export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(extension);
  extension.subscriptions.push(ctx);
  await ctx.start();
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
