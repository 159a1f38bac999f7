import * as vscode from 'vscode';
import { SessionApply, SessionDiff, type SessionInfo } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { describeError, registerCommand } from '../errors';
import { diffSides } from '../sessions/changedFiles';
import type { SessionsTree } from '../sessions/sessionsTree';
import type { SessionChanges } from './sessionChanges';

/** `corral.applyChanges` from code (a test, a notification's button): the mode chosen, no confirmation asked. */
export interface ApplyArgs {
  session: string;
  mode: 'commit' | 'patch';
}

export type ApplyResult = { applied: number; commit?: string } | { refused: string } | undefined;

/**
 * Review and apply: the multi-file diff of a session against its base (`vscode.changes`, both
 * sides read-only), and applying it to the user's repository — confirmed in a modal first; a
 * refusal (conflicts, staged work) is said in a modal and has changed nothing.
 */
export function registerReviewCommands(ctx: Ctx, sessions: SessionsTree, changes: SessionChanges): vscode.Disposable[] {
  const resolve = async (target: unknown): Promise<SessionInfo | undefined> => {
    const id = typeof target === 'string' ? target : changes.sessionOf(target);
    if (id !== undefined) {
      const session = sessions.get(id);
      if (!session) throw new Error(`session ${id} is gone; the Sessions view shows the current ones`);
      return session;
    }
    const candidates = sessions.list().filter((session) => session.repo !== null);
    if (candidates.length === 0) throw new Error('no session works on a repository: start one with "Corral: Start Session"');
    const chosen = await vscode.window.showQuickPick(
      candidates.map((session) => ({ label: session.name ?? session.id.slice(0, 8), description: `${session.state} · ${session.repo ?? ''}`, session })),
      { placeHolder: 'Which session?' },
    );
    return chosen?.session;
  };

  return [
    registerCommand('corral.reviewChanges', async (target?: unknown) => {
      const session = await resolve(target);
      if (!session) return undefined;
      const diff = await ctx.requireConnection().rpc.sendRequest(SessionDiff, { session: session.id });
      if (diff.files.length === 0) {
        void vscode.window.showInformationMessage(`Corral: session ${session.name ?? session.id} changed nothing against ${diff.base.slice(0, 10)}.`);
        return [];
      }
      const root = session.repoRoot ?? session.repo ?? '/';
      const resources = diff.files.map((file) => {
        const { left, right } = diffSides({ kind: 'file', session, base: diff.base, file });
        return [vscode.Uri.file(`${root}/${file.path}`), file.status === 'A' ? undefined : left, file.status === 'D' ? undefined : right] as const;
      });
      await vscode.commands.executeCommand('vscode.changes', `Corral: ${session.name ?? session.id.slice(0, 8)} — ${diff.files.length} file(s), base ↔ session`, resources);
      // For tests and callers: the documents each side reads.
      return resources.map(([resource, left, right]) => ({ resource: resource.toString(), left: left?.toString(), right: right?.toString() }));
    }),
    registerCommand('corral.applyChanges', async (target?: unknown): Promise<ApplyResult> => {
      const given = isApplyArgs(target) ? target : undefined;
      const session = await resolve(given ? given.session : target);
      if (!session) return undefined;
      const rpc = ctx.requireConnection().rpc;
      let mode = given?.mode;
      if (mode === undefined) {
        const diff = await rpc.sendRequest(SessionDiff, { session: session.id });
        if (diff.files.length === 0) {
          void vscode.window.showInformationMessage(`Corral: session ${session.name ?? session.id} changed nothing.`);
          return undefined;
        }
        const choice = await vscode.window.showWarningMessage(
          `Apply ${diff.files.length} changed file(s) of session ${session.name ?? session.id} to ${session.repo}?`,
          { modal: true, detail: `${diff.stat}\nAs a commit on your current branch, or as uncommitted changes in your working tree. Refused, changing nothing, on conflicts.` },
          'Apply as Commit',
          'Apply as Changes',
        );
        if (!choice) return undefined;
        mode = choice === 'Apply as Commit' ? 'commit' : 'patch';
      }
      try {
        const result = await rpc.sendRequest(SessionApply, { session: session.id, mode });
        void vscode.window.showInformationMessage(
          `Corral: applied ${result.files} file(s) of ${session.name ?? session.id}${result.commit ? ` as commit ${result.commit.slice(0, 10)}` : ' to your working tree'}.`,
        );
        return { applied: result.files, ...(result.commit ? { commit: result.commit } : {}) };
      } catch (error) {
        // The daemon checks before it writes: a refusal has changed nothing, and says why.
        const reason = describeError(error);
        void vscode.window.showErrorMessage(`Corral did not apply the changes of ${session.name ?? session.id}`, {
          modal: true,
          detail: `${reason}\n\nNothing in your repository was changed.`,
        });
        return { refused: reason };
      } finally {
        void changes.refresh(session.id);
      }
    }),
  ];
}

function isApplyArgs(value: unknown): value is ApplyArgs {
  return (
    typeof value === 'object' && value !== null && 'session' in value && typeof value.session === 'string' && 'mode' in value && (value.mode === 'commit' || value.mode === 'patch')
  );
}
