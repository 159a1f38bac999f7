import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CorralApi } from '../../extension/main';
import { corral, waitFor } from './support';

/** The board language server in VS Code: started on opening a board, its features through VS Code's own provider commands. */
const BOARD = [
  '# Board',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Write the parser @alice',
  '- [ ] T-2 Document the CLI',
  '- [ ] T-2 Same id again',
  '',
  '## Done',
  '',
  '- [x] T-3 Ship it',
  '',
].join('\n');

describe('Board language server (lsp)', function () {
  this.timeout(120_000);
  let api: CorralApi;
  let dir: string;
  let uri: vscode.Uri;

  before(async () => {
    api = await corral();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-lsp-'));
    const file = path.join(dir, 'TASKS.md');
    fs.writeFileSync(file, BOARD);
    uri = vscode.Uri.file(file);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts when a board is opened and publishes diagnostics (duplicate ids with the other line)', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor(
      vscode.languages.onDidChangeDiagnostics,
      () => {
        const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'corral');
        return found.length >= 2 ? found : undefined;
      },
      'the board diagnostics',
      60_000,
    );
    const duplicate = diagnostics.find((d) => d.code === 'duplicate-id' && d.range.start.line === 6);
    assert.ok(duplicate, JSON.stringify(diagnostics));
    assert.equal(duplicate.relatedInformation?.[0]?.location.range.start.line, 5);
  });

  it("code lenses, hover, completion and symbols through VS Code's provider commands", async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const onT1 = lenses.filter((l) => l.range.start.line === 4).map((l) => l.command?.title);
    assert.ok(onT1.includes('✓ Done'), JSON.stringify(onT1));
    assert.ok(onT1.includes('▶ Run agent'), 'the daemon of the test run answers: the agent can be run');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(4, 10));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /T-1\*\* Write the parser/);
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((b) => b.insert(new vscode.Position(5, '- [ ] T-2 Document the CLI'.length), ' @'));
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      new vscode.Position(5, '- [ ] T-2 Document the CLI @'.length),
      '@',
    );
    assert.ok(completions.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === '@alice'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.deepEqual(
      symbols[0]!.children.map((s) => s.name),
      ['Todo', 'Done'],
    );
    assert.equal(symbols[0]!.children[0]!.children[0]!.name, 'T-1 Write the parser @alice');
  });

  it('an action on a task of a board with unsaved changes edits the open document, not the file', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(doc.isDirty, 'the completion test typed into it');
    assert.equal(await api.boardLanguage.editOpenBoard(uri.fsPath, 'T-1', { action: 'done' }), true);
    assert.match(doc.getText(), /## Done\n\n- \[x\] T-3 Ship it\n- \[x\] T-1 Write the parser @alice\n/);
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), BOARD, 'the file under the typing is untouched');
  });
});
