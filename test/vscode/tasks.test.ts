import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TasksUpdate } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import type { TaskNode } from '../../extension/tasks/tasksTree';
import { bounded, corral, outsideClient, waitFor, workspaceFolder } from './support';

/** `Label (count)` of each status group, then `id description` of its tasks. */
function render(api: CorralApi): string[] {
  const lines: string[] = [];
  for (const group of api.tasks.getChildren()) {
    const item = api.tasks.getTreeItem(group);
    lines.push(`${String(item.label)} (${String(item.description)})`);
    for (const task of api.tasks.getChildren(group)) {
      const taskItem = api.tasks.getTreeItem(task);
      lines.push(`  ${String(taskItem.label)}${taskItem.description ? ` [${String(taskItem.description)}]` : ''}`);
    }
  }
  return lines;
}

function findTask(api: CorralApi, id: string): Extract<TaskNode, { kind: 'task' }> | undefined {
  for (const group of api.tasks.getChildren()) {
    for (const node of api.tasks.getChildren(group)) if (node.kind === 'task' && node.task.id === id) return node;
  }
  return undefined;
}

describe('Tasks view', () => {
  let api: CorralApi;
  let board: string;
  let outside: DaemonConnection;

  before(async () => {
    api = await corral();
    board = path.join(workspaceFolder(), 'docs', 'TASKS.md');
    outside = await outsideClient();
    await waitFor(api.tasks.onDidChangeTreeData, () => api.tasks.list()[0]?.state, 'the board to be listed');
  });

  after(async () => {
    outside?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the board grouped by status with counts, ids, assignees and subtask progress', () => {
    assert.deepEqual(render(api), [
      'In progress (1)',
      '  T-1  Wire the sessions view @alice [@alice]',
      'Todo (2)',
      '  T-2  Draw the tasks view [1/2]',
      '  T-3  Reconnect after a crash',
      'Done (1)',
      '  T-4  Bundle the daemon',
    ]);
    const t2 = findTask(api, 'T-2');
    assert.ok(t2);
    assert.deepEqual(
      api.tasks.getChildren(t2).map((node) => (node.kind === 'task' ? `${node.task.id} ${node.task.status}` : node.kind)),
      ['T-5 done', 'T-6 todo'],
    );
    assert.equal(api.tasks.getTreeItem(t2).contextValue, 'task:todo');
  });

  it("opens the board at the task's line on click", async () => {
    const item = api.tasks.getTreeItem(findTask(api, 'T-3')!);
    assert.ok(item.command, 'a task item has a click command');
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.fsPath, board);
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /T-3 Reconnect after a crash/);
  });

  it("start changes exactly that task's line in the file (moved to the board's in-progress lane), and the tree follows", async () => {
    const before = fs.readFileSync(board, 'utf8').split('\n');
    const node = findTask(api, 'T-3')!;
    const oldLine = before[node.task.line - 1]!;
    await vscode.commands.executeCommand('corral.tasks.start', node);
    const after = fs.readFileSync(board, 'utf8').split('\n');
    const newLines = after.filter((line) => line.includes('T-3 Reconnect after a crash'));
    assert.equal(newLines.length, 1);
    assert.notEqual(newLines[0], oldLine, 'the task line changed');
    // Every other line is kept, in order: the board has lanes, so the task may move between them.
    assert.deepEqual(
      after.filter((line) => line !== newLines[0]),
      before.filter((line) => line !== oldLine),
    );
    await waitFor(api.tasks.onDidChangeTreeData, () => findTask(api, 'T-3')?.task.status === 'in_progress', 'T-3 in progress in the tree');
    assert.ok(render(api).includes('In progress (2)'), render(api).join('\n'));
  });

  it('follows an edit made from outside (tasks/changed), without polling', async () => {
    const current = api.tasks.list()[0]!.state!;
    await bounded(outside.rpc.sendRequest(TasksUpdate, { board, version: current.version, id: 'T-2', action: 'done' }), 'tasks/update from outside');
    await waitFor(api.tasks.onDidChangeTreeData, () => findTask(api, 'T-2')?.task.status === 'done', 'T-2 done in the tree after an outside edit');
  });

  it('edits the open document of a board with unsaved changes (the unsaved text kept), never the file under it', async () => {
    const document = await vscode.workspace.openTextDocument(board);
    const editor = await vscode.window.showTextDocument(document);
    // The outside edit of the test above reaches the open document a moment later; an edit made
    // before that would be refused as based on an old version.
    await waitFor(vscode.workspace.onDidChangeTextDocument, () => document.getText() === fs.readFileSync(board, 'utf8'), 'the editor to show the file as on disk');
    assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '<!-- typing -->\n')), 'the edit was applied');
    assert.ok(document.isDirty);
    const bytes = fs.readFileSync(board, 'utf8');
    try {
      await vscode.commands.executeCommand('corral.tasks.done', findTask(api, 'T-1')!);
      assert.equal(fs.readFileSync(board, 'utf8'), bytes, 'the file on disk is untouched');
      assert.equal(document.getText().startsWith('<!-- typing -->\n'), true, 'the unsaved text is kept');
      assert.match(document.getText(), /^- \[x\] T-1 /m, 'T-1 is done in the open document');
      assert.ok(document.isDirty, 'left for the user to save');
      const otherLines = (text: string): string[] => text.split('\n').filter((line) => !/T-1 /.test(line) && line !== '<!-- typing -->');
      assert.deepEqual(otherLines(document.getText()), otherLines(bytes), 'every other line as it was');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(document.isDirty, false);
  });
});
