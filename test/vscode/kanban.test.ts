import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CorralApi } from '../../extension/main';
import type { BoardEditor, BoardRendered } from '../../extension/kanban/boardEditor';
import { bounded, corral, waitFor, workspaceFolder } from './support';

const BOARD = `# Kanban fixture

## Todo

- [ ] T-1 Parse the board @ann
  - [x] tokens
  - [ ] tables
- [ ] T-2 Draw the columns
- [ ] T-3 Move the cards

## In progress

- [ ] T-4 Sync the text

## Done

- [x] T-5 Bundle the editor
`;

/**
 * The board editor (a CustomTextEditor over the board's TextDocument) in a real VS Code: opened
 * with `vscode.openWith`; a move asked as its page asks it (the `tasks/update` message) edits the
 * document — dirty, never saved behind the user's back — and a text edit reaches the kanban,
 * which reports each drawing (`onDidRender`, with the cards per column and the time it took).
 */
describe('Corral Board editor (kanban)', () => {
  let api: CorralApi;
  let file: string;
  let uri: vscode.Uri;
  const renders: BoardRendered[] = [];
  let listening: vscode.Disposable | undefined;

  const document = (): vscode.TextDocument => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
  const editor = (): BoardEditor => api.boards.openEditors.find((e) => e.document.uri.toString() === uri.toString())!;
  /** Waits for the kanban to have drawn the document's version `version` (or later) and returns that drawing. */
  const drawn = (version: number): Promise<BoardRendered> =>
    waitFor(
      api.boards.onDidRender,
      () => renders.find((r) => Number(r.version) >= version),
      `the kanban to draw version ${version}`,
      20_000,
      () => renders.map((r) => r.version).join(', '),
    );

  before(async () => {
    api = await corral();
    file = path.join(workspaceFolder(), 'kanban', 'TASKS.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BOARD);
    uri = vscode.Uri.file(file);
    listening = api.boards.onDidRender((event) => {
      if (event.uri.toString() === uri.toString()) renders.push(event);
    });
  });

  after(async () => {
    listening?.dispose();
    // Leave nothing dirty behind (closing would ask to save): save the fixture, close it, remove it.
    if (uri && document()?.isDirty) await document().save();
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => (tab.input instanceof vscode.TabInputCustom || tab.input instanceof vscode.TabInputText) && tab.input.uri.toString() === uri?.toString());
    await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('contributes Corral Board for TASKS.md (priority option) and the Open Board command', async () => {
    const json = vscode.extensions.getExtension('corral.corral')!.packageJSON as {
      contributes: { customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[] };
    };
    const board = json.contributes.customEditors.find((e) => e.viewType === 'corral.board');
    assert.equal(board?.priority, 'option', 'the text editor stays the default');
    assert.ok(board?.selector.some((s) => s.filenamePattern === '**/TASKS.md'));
    assert.ok((await vscode.commands.getCommands(true)).includes('corral.openBoard'));
  });

  it('opens with vscode.openWith and draws the columns and cards of the document', async () => {
    await bounded(vscode.commands.executeCommand('vscode.openWith', uri, 'corral.board'), 'vscode.openWith');
    await waitFor(vscode.window.tabGroups.onDidChangeTabs, () => api.boards.openEditors.some((e) => e.document.uri.toString() === uri.toString()), 'the board editor to open');
    const shown = await drawn(document().version);
    assert.deepEqual(shown.columns, { todo: ['T-1', 'T-2', 'T-3'], in_progress: ['T-4'], done: ['T-5'], review: [], blocked: [] });
  });

  it('a move asked by the page is a WorkspaceEdit of exactly that task: the document is dirty, the file untouched', async () => {
    const before = document().version;
    const result = (await bounded(
      editor().receive({ id: 1, method: 'tasks/update', params: { board: file, version: String(before), id: 'T-3', action: 'status', status: 'done' } }),
      'tasks/update',
    )) as { reapplied: boolean; task: { status: string } };
    assert.equal(result.task.status, 'done');
    assert.equal(result.reapplied, false);
    const expected = BOARD.replace('- [ ] T-3 Move the cards\n', '').replace('- [x] T-5 Bundle the editor\n', '- [x] T-5 Bundle the editor\n- [x] T-3 Move the cards\n');
    assert.equal(document().getText(), expected);
    assert.equal(document().isDirty, true, "not saved behind the user's back");
    assert.equal(fs.readFileSync(file, 'utf8'), BOARD, 'the file itself is not written');
    const shown = await drawn(document().version);
    assert.deepEqual(shown.columns.done, ['T-5', 'T-3']);
  });

  it('a text edit shows in the kanban (timed), and a move decided on an older version is made again on the new text, keeping the typing', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const text = document().getText();
      const at = text.indexOf(i % 2 === 0 ? '- [ ] T-2' : '- [x] T-2');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(document().positionAt(at + 3), document().positionAt(at + 4)), i % 2 === 0 ? 'x' : ' ');
      const started = Date.now();
      assert.ok(await vscode.workspace.applyEdit(edit));
      const shown = await drawn(document().version);
      times.push(Date.now() - started);
      assert.equal(shown.columns.todo?.includes('T-2'), i % 2 === 1, `T-2 ${i % 2 === 0 ? 'left' : 'back in'} Todo`);
    }
    console.log(`      text edit → kanban drawn: ${times.join(', ')} ms (median ${[...times].sort((a, b) => a - b)[2]} ms)`);
    // The page decided on `stale`; the user typed since. The move lands on T-1's lines as they are now.
    const stale = document().version;
    const typing = new vscode.WorkspaceEdit();
    typing.insert(uri, new vscode.Position(0, 0), '<!-- typed meanwhile -->\n');
    assert.ok(await vscode.workspace.applyEdit(typing));
    const result = (await editor().receive({ id: 2, method: 'tasks/update', params: { board: file, version: String(stale), id: 'T-1', action: 'status', status: 'blocked' } })) as {
      reapplied: boolean;
    };
    assert.equal(result.reapplied, true);
    const text = document().getText();
    assert.ok(text.startsWith('<!-- typed meanwhile -->\n# Kanban fixture'), 'the typing is kept');
    assert.match(text, /^- \[!\] T-1 Parse the board @ann\n {2}- \[x\] tokens$/m);
  });

  it('refuses a change the board cannot express, changing nothing', async () => {
    const text = document().getText();
    await assert.rejects(editor().receive({ id: 3, method: 'tasks/update', params: { board: file, id: 'T-404', action: 'status', status: 'done' } }), /no task T-404/);
    await assert.rejects(
      editor().receive({ id: 4, method: 'tasks/update', params: { board: '/elsewhere/TASKS.md', id: 'T-1', action: 'status', status: 'done' } }),
      /this editor edits TASKS\.md/,
    );
    assert.equal(document().getText(), text);
  });
});
