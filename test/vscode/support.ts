// Helpers for the tests that run inside the extension host, against the live daemon of
// $CORRAL_HOME that scripts/test-vscode.sh started (and the workspace it prepared).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CorralApi } from '../../extension/main';
import type { DaemonConnection } from '../../server/protocol/client';
import { outsideClientFor } from './outside';

export const EXTENSION_ID = 'corral.corral';

/** The extension's API (activating it if the workspace did not already). */
export async function corral(): Promise<CorralApi> {
  const extension = vscode.extensions.getExtension<CorralApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  return extension.isActive ? extension.exports : extension.activate();
}

/** The only workspace folder: a git repository holding docs/TASKS.md. */
export function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run opens a workspace folder');
  return folder.uri.fsPath;
}

/** A second client of the same daemon: what "the CLI, from outside" does, over the same protocol. */
export function outsideClient(): Promise<DaemonConnection> {
  return outsideClientFor();
}

/**
 * Resolves once `condition` holds, checked now and on every `event`; rejects after `timeoutMs`
 * saying what it waited for and what it saw last. Never a fixed sleep.
 */
export function waitFor<T>(event: vscode.Event<unknown>, condition: () => T | undefined | false, what: string, timeoutMs = 20_000, seen: () => string = () => ''): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = condition();
    if (first !== undefined && first !== false) return resolve(first);
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen() ? `; last seen: ${seen()}` : ''}`));
    }, timeoutMs);
    const subscription = event(() => {
      const value = condition();
      if (value === undefined || value === false) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

/** A promise that rejects after `ms` with `what`: a request that never answers fails the test. */
export async function bounded<T>(promise: PromiseLike<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(promise),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A tree item's icon id, whatever form it has. */
export function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}
