import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChangedFile, SessionInfo } from '../../server/protocol';
import { registerCommand } from '../errors';

/** A changed file under its session in the Sessions view. */
export interface ChangedFileNode {
  kind: 'file';
  session: SessionInfo;
  base: string;
  file: ChangedFile;
}

/** Left side of a file's diff: the file at the session's base commit, from the user's repository. */
export const BASE_SCHEME = 'corral-base';
/** Right side: the file as the session has it now, in its workspace. Both sides are read-only. */
export const SESSION_SCHEME = 'corral-session';

const STATUS_NAMES: Record<string, string> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type changed' };

export function changedFileItem(node: ChangedFileNode): vscode.TreeItem {
  const { file } = node;
  const item = new vscode.TreeItem(path.basename(file.path), vscode.TreeItemCollapsibleState.None);
  item.id = `${node.session.id}:${file.path}`;
  item.resourceUri = vscode.Uri.file(path.join(node.session.repo ?? '/', file.path));
  const dir = path.dirname(file.path);
  item.description = `${dir === '.' ? '' : `${dir} · `}${file.binary ? 'binary' : `+${file.added} −${file.deleted}`}`;
  item.tooltip = `${file.path} — ${STATUS_NAMES[file.status] ?? file.status}${file.from ? ` from ${file.from}` : ''}`;
  item.contextValue = 'sessionFile';
  item.command = { command: 'corral.session.openFileDiff', title: 'Open Changes', arguments: [node] };
  return item;
}

/** Fired for a session document whose file the session changed (after a review comment's run). */
const sessionDocsChanged = new vscode.EventEmitter<vscode.Uri>();

/** Reads the open session documents again (their files changed in the workspace). */
export function refreshSessionDocuments(): void {
  for (const document of vscode.workspace.textDocuments) if (document.uri.scheme === SESSION_SCHEME) sessionDocsChanged.fire(document.uri);
}

/** Content providers and the command that opens one file's diff. */
export function registerChangedFiles(): vscode.Disposable[] {
  return [
    vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, { provideTextDocumentContent: baseContent }),
    sessionDocsChanged,
    vscode.workspace.registerTextDocumentContentProvider(SESSION_SCHEME, { provideTextDocumentContent: sessionContent, onDidChange: sessionDocsChanged.event }),
    registerCommand('corral.session.openFileDiff', async (node: ChangedFileNode) => {
      const { left, right } = diffSides(node);
      await vscode.commands.executeCommand('vscode.diff', left, right, `${node.file.path} (${node.session.name ?? node.session.id.slice(0, 8)}: base ↔ session)`, {
        preview: true,
      });
    }),
  ];
}

/** The two read-only sides of a changed file's diff: at the session's base, and in its workspace now. */
export function diffSides({ session, base, file }: ChangedFileNode): { left: vscode.Uri; right: vscode.Uri } {
  return {
    left: vscode.Uri.from({
      scheme: BASE_SCHEME,
      path: `/${file.from ?? file.path}`,
      query: JSON.stringify({ repo: session.repoRoot ?? session.repo, base, exists: file.status !== 'A' }),
    }),
    // The session's id too: a review comment on this side becomes the agent's next turn in it.
    right: vscode.Uri.from({
      scheme: SESSION_SCHEME,
      path: `/${file.path}`,
      query: JSON.stringify({ workspace: session.workspace, exists: file.status !== 'D', session: session.id }),
    }),
  };
}

function parseQuery(uri: vscode.Uri): Record<string, unknown> {
  const parsed: unknown = JSON.parse(uri.query);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a Corral diff address: ${uri.toString()}`);
  return parsed as Record<string, unknown>;
}

/** `git show <base>:<path>` in the user's repository (the session borrows its objects). */
function baseContent(uri: vscode.Uri): Promise<string> {
  const query = parseQuery(uri);
  if (query.exists === false) return Promise.resolve('');
  const repo = String(query.repo);
  const base = String(query.base);
  if (!/^[0-9a-f]{7,64}$/.test(base)) return Promise.reject(new Error(`not a commit: ${base}`));
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', repo, 'show', `${base}:${uri.path.slice(1)}`], { maxBuffer: 32 * 2 ** 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/**
 * The file in the session's workspace. The jail wrote it, so it is untrusted: a symbolic link, or
 * a path leading out of the workspace, is shown as what it is and never followed.
 */
function sessionContent(uri: vscode.Uri): string {
  const query = parseQuery(uri);
  if (query.exists === false) return '';
  const workspace = fs.realpathSync(String(query.workspace));
  const full = path.join(workspace, uri.path.slice(1));
  if (!full.startsWith(`${workspace}${path.sep}`)) throw new Error(`${uri.path} is outside the session's workspace`);
  const stat = fs.lstatSync(full);
  if (stat.isSymbolicLink()) return `(a symbolic link to ${fs.readlinkSync(full)})\n`;
  if (!stat.isFile()) return `(not a regular file)\n`;
  const parent = fs.realpathSync(path.dirname(full));
  if (parent !== workspace && !parent.startsWith(`${workspace}${path.sep}`)) throw new Error(`${uri.path} leads out of the session's workspace`);
  return fs.readFileSync(full, 'utf8');
}
