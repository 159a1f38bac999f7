import * as path from 'node:path';
import * as vscode from 'vscode';
import { SessionApply, SessionDiff, SessionPause, SessionRemove, SessionResume, SessionStart, SessionStop, ShellExec, type SessionInfo } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { registerCommand } from '../errors';
import type { SessionsTree } from './sessionsTree';
import { sessionTerminalOptions } from './sessionTerminal';

/** Scheme of the read-only documents holding a session's patch against its base. */
export const DIFF_SCHEME = 'corral-diff';

/** Session commands: from the tree they get the item's id; from the palette they ask which session. */
export function registerSessionCommands(ctx: Ctx, tree: SessionsTree): vscode.Disposable[] {
  const rpc = () => ctx.requireConnection().rpc;
  const pick = async (id: string | undefined, states?: readonly string[]): Promise<SessionInfo | undefined> => {
    if (id !== undefined) {
      const session = tree.get(id);
      if (!session) throw new Error(`session ${id} is gone; the Sessions view shows the current ones`);
      return session;
    }
    const candidates = tree.list().filter((session) => states === undefined || states.includes(session.state));
    if (candidates.length === 0) throw new Error(states ? `no session is ${states.join(' or ')}` : 'no sessions yet: run "Corral: Start Session"');
    const chosen = await vscode.window.showQuickPick(
      candidates.map((session) => ({ label: session.name ?? session.id.slice(0, 8), description: `${session.state} · ${session.repo ?? 'empty'}`, session })),
      { placeHolder: 'Which session?' },
    );
    return chosen?.session;
  };
  const withProgress = <T>(title: string, task: () => Promise<T>): Thenable<T> => vscode.window.withProgress({ location: { viewId: 'corral.sessions' }, title }, task);

  const diffs = new DiffDocuments(ctx);
  // Created on the first command run, disposed with the extension.
  let output: vscode.OutputChannel | undefined;
  const commandOutput = (): vscode.OutputChannel => (output ??= vscode.window.createOutputChannel('Corral Commands'));
  return [
    diffs,
    { dispose: () => output?.dispose() },
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, diffs),
    registerCommand('corral.startSession', async () => {
      const folder = await pickFolder();
      const limits = ctx.config.limits;
      const session = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Corral: starting a session on ${folder ? path.basename(folder) : 'an empty workspace'}…` },
        () =>
          rpc().sendRequest(SessionStart, {
            ...(folder ? { repo: folder } : {}),
            ...(ctx.config.image ? { image: ctx.config.image } : {}),
            ...(Object.keys(limits).length > 0 ? { limits } : {}),
          }),
      );
      await tree.view.reveal(session.id, { select: true, focus: false }).then(undefined, () => undefined);
      return session.id;
    }),
    registerCommand('corral.session.pause', async (id?: string) => {
      const session = await pick(id, ['ready', 'busy']);
      if (session) await withProgress('Pausing…', () => rpc().sendRequest(SessionPause, { session: session.id }));
    }),
    registerCommand('corral.session.resume', async (id?: string) => {
      const session = await pick(id, ['paused']);
      if (session) await withProgress('Resuming…', () => rpc().sendRequest(SessionResume, { session: session.id }));
    }),
    registerCommand('corral.session.stop', async (id?: string) => {
      const session = await pick(id, ['ready', 'busy', 'paused', 'creating']);
      if (session) await withProgress('Stopping…', () => rpc().sendRequest(SessionStop, { session: session.id }));
    }),
    registerCommand('corral.session.remove', async (id?: string) => {
      const session = await pick(id);
      if (!session) return;
      const confirm = await vscode.window.showWarningMessage(
        `Remove session ${session.name ?? session.id}?`,
        { modal: true, detail: 'Its container, workspace and branch are deleted. Changes not applied to your repository are lost.' },
        'Remove',
      );
      if (confirm === 'Remove') await withProgress('Removing…', () => rpc().sendRequest(SessionRemove, { session: session.id }));
    }),
    registerCommand('corral.session.apply', async (id?: string) => {
      const session = await pick(id);
      if (!session) return;
      const diff = await rpc().sendRequest(SessionDiff, { session: session.id });
      if (diff.files.length === 0) {
        void vscode.window.showInformationMessage(`Corral: session ${session.name ?? session.id} changed nothing.`);
        return;
      }
      const choice = await vscode.window.showWarningMessage(
        `Apply ${diff.files.length} changed file(s) of session ${session.name ?? session.id} to ${session.repo}?`,
        { modal: true, detail: `${diff.stat}\nAs a commit on your current branch, or as uncommitted changes in your working tree. Refused, changing nothing, on conflicts.` },
        'Apply as Commit',
        'Apply as Changes',
      );
      if (!choice) return;
      const result = await rpc().sendRequest(SessionApply, { session: session.id, mode: choice === 'Apply as Commit' ? 'commit' : 'patch' });
      void vscode.window.showInformationMessage(`Corral: applied ${result.files} file(s)${result.commit ? ` as commit ${result.commit.slice(0, 10)}` : ''}.`);
    }),
    registerCommand('corral.session.reviewChanges', async (id?: string) => {
      const session = await pick(id);
      if (!session) return;
      const uri = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${session.name ?? session.id}.diff`, query: session.id });
      diffs.refresh(uri);
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(document, 'diff');
      await vscode.window.showTextDocument(document, { preview: true });
    }),
    registerCommand('corral.openTerminal', async (id?: string) => {
      const session = await pick(id, ['ready', 'busy', 'paused']);
      if (!session) return undefined;
      const terminal = vscode.window.createTerminal(sessionTerminalOptions(ctx, session.id, session.name ?? session.id.slice(0, 8)));
      terminal.show();
      return terminal.name;
    }),
    // The terminal's "+" menu: a shell in one of your running sessions.
    vscode.window.registerTerminalProfileProvider('corral.sessionShell', {
      provideTerminalProfile: async () => {
        const session = await pick(undefined, ['ready', 'busy', 'paused']);
        if (!session) throw new Error('no session chosen');
        return new vscode.TerminalProfile(sessionTerminalOptions(ctx, session.id, session.name ?? session.id.slice(0, 8)));
      },
    }),
    registerCommand('corral.session.runCommand', async (id?: string) => {
      const session = await pick(id, ['ready', 'busy', 'paused']);
      if (!session) return;
      const command = await vscode.window.showInputBox({ prompt: `Command to run in session ${session.name ?? session.id} (in its jail)`, placeHolder: 'npm test' });
      if (!command) return;
      const result = await withProgress(`Running ${command}…`, () => rpc().sendRequest(ShellExec, { session: session.id, command }));
      const channel = commandOutput();
      channel.appendLine(`$ ${command}    # session ${session.name ?? session.id}`);
      if (result.stdout) channel.append(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
      if (result.stderr) channel.append(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
      channel.appendLine(`[exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}, ${result.durationMs} ms]`);
      channel.show(true);
      return result.exitCode;
    }),
  ];
}

async function pickFolder(): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri.fsPath;
  const folder = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Start a session on which folder?' });
  return folder?.uri.fsPath;
}

/** Read-only documents with a session's patch against its base, fetched when opened. */
class DiffDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {}

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const diff = await this.ctx.requireConnection().rpc.sendRequest(SessionDiff, { session: uri.query, patch: true });
    if (diff.files.length === 0) return `# The session changed nothing against ${diff.base.slice(0, 10)}.\n`;
    return `# ${diff.stat.trim().split('\n').join('\n# ')}\n\n${diff.patch ?? ''}`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
