import * as path from 'node:path';
import * as vscode from 'vscode';
import { TasksInit, TasksUpdate, type TasksUpdateParams } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { registerCommand } from '../errors';
import type { TaskNode, TasksTree } from './tasksTree';
import type { TaskAction as BoardAction } from '../../server/lsp/lspExt';

type TaskAction = Extract<TasksUpdateParams['action'], 'start' | 'done' | 'block' | 'note'>;

/** Task commands: from the tree they get the task node; from the palette they ask for one. */
/**
 * Makes an action as an edit of the board's open document when an editor holds unsaved changes of
 * it (the board language server computes it; `extension/lsp/boardLanguage.ts`); false when the
 * document is not dirty, and the daemon then edits the file.
 */
export type EditOpenBoard = (file: string, id: string, action: BoardAction) => Promise<boolean>;

export function registerTaskCommands(ctx: Ctx, tree: TasksTree, editOpenBoard: EditOpenBoard): vscode.Disposable[] {
  // The daemon edits the file on disk; an editor holding unsaved changes of it would keep a stale
  // copy the user could save over that edit. So the edit goes into the open document instead,
  // where the user sees it and saves it with their own; a change the board language cannot make
  // there is refused with what to do, and nothing changes.
  const editInEditor = async (file: string, id: string, request: BoardAction): Promise<boolean> => {
    const dirty = vscode.workspace.textDocuments.some((document) => document.uri.scheme === 'file' && document.uri.fsPath === file && document.isDirty);
    if (!dirty) return false;
    if (await editOpenBoard(file, id, request)) return true;
    throw new Error(`${path.basename(file)} has unsaved changes in an editor and ${id} could not be changed there: save or revert them first, then try again`);
  };
  const update = async (node: TaskNode | undefined, action: TaskAction): Promise<void> => {
    const target = node?.kind === 'task' ? node : await pickTask(tree);
    if (!target) return;
    let text: string | undefined;
    if (action === 'block' || action === 'note') {
      text = await vscode.window.showInputBox({
        prompt: action === 'block' ? `Why is ${target.task.id} blocked?` : `Note on ${target.task.id}`,
        validateInput: (value) => (value.trim().length === 0 ? 'Say something: it goes on the board.' : undefined),
      });
      if (text === undefined) return;
    }
    const request: BoardAction = action === 'block' ? { action, reason: text!.trim() } : action === 'note' ? { action, text: text!.trim() } : { action };
    if (await editInEditor(target.board.path, target.task.id, request)) return;
    await ctx.requireConnection().rpc.sendRequest(TasksUpdate, {
      board: target.board.path,
      ...(target.board.state ? { version: target.board.state.version } : {}),
      id: target.task.id,
      action,
      ...(text !== undefined ? { text: text.trim() } : {}),
    });
    await tree.load(target.board);
  };

  return [
    registerCommand('corral.tasks.reveal', async (boardPath: string, line: number) => {
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(boardPath), { preview: true });
      const position = new vscode.Position(Math.max(0, line - 1), 0);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    registerCommand('corral.tasks.start', (node?: TaskNode) => update(node, 'start')),
    registerCommand('corral.tasks.done', (node?: TaskNode) => update(node, 'done')),
    registerCommand('corral.tasks.block', (node?: TaskNode) => update(node, 'block')),
    registerCommand('corral.tasks.note', (node?: TaskNode) => update(node, 'note')),
    registerCommand('corral.tasks.handoff', async (node?: TaskNode) => {
      const target = node?.kind === 'task' ? node : await pickTask(tree);
      if (!target) return;
      const to = await vscode.window.showInputBox({
        prompt: `Hand ${target.task.id} off to whom?`,
        placeHolder: 'alice',
        validateInput: (value) => (/^@?[A-Za-z0-9_][\w.-]*$/.test(value.trim()) ? undefined : 'A user name, like alice or @alice.'),
      });
      if (to === undefined) return;
      const note = await vscode.window.showInputBox({ prompt: `A note for ${to.trim()} (optional)` });
      if (note === undefined) return;
      if (await editInEditor(target.board.path, target.task.id, { action: 'handoff', to: to.trim(), ...(note.trim().length > 0 ? { text: note.trim() } : {}) })) return;
      await ctx.requireConnection().rpc.sendRequest(TasksUpdate, {
        board: target.board.path,
        ...(target.board.state ? { version: target.board.state.version } : {}),
        id: target.task.id,
        action: 'handoff',
        to: to.trim(),
        ...(note.trim().length > 0 ? { text: note.trim() } : {}),
      });
      await tree.load(target.board);
    }),
    registerCommand('corral.tasks.refresh', () => tree.refreshAll()),
    registerCommand('corral.tasks.init', async () => {
      const folder =
        (vscode.workspace.workspaceFolders ?? []).length > 1
          ? await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create a board in which folder?' })
          : vscode.workspace.workspaceFolders?.[0];
      if (!folder) throw new Error('open a folder first: the board lives in it');
      const board = path.join(folder.uri.fsPath, ctx.config.boardFiles[0] ?? 'docs/TASKS.md');
      await ctx.requireConnection().rpc.sendRequest(TasksInit, { board });
      await tree.refreshAll();
      await vscode.window.showTextDocument(vscode.Uri.file(board), { preview: true });
    }),
  ];
}

async function pickTask(tree: TasksTree): Promise<Extract<TaskNode, { kind: 'task' }> | undefined> {
  const items = tree.list().flatMap((board) =>
    (board.state?.tasks ?? []).map((task) => ({
      label: `${task.id}  ${task.title}`,
      description: `${task.status} · ${board.folder.name}`,
      node: { kind: 'task' as const, board, task },
    })),
  );
  if (items.length === 0) throw new Error('no tasks: the workspace has no board, or it is empty');
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Which task?', matchOnDescription: true });
  return chosen?.node;
}
