import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { SessionPause, SessionRemove, SessionShow, SessionStart, ShellExec, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import { bounded, corral, iconId, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

describe('Sessions view', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let session: SessionInfo | undefined;
  const describeTree = (): string =>
    api.sessions
      .list()
      .map((s) => `${s.id.slice(0, 8)} ${s.state}`)
      .join(', ') || 'empty';
  const stateInTree = (state: string, timeoutMs = 30_000): Promise<SessionInfo> =>
    waitFor(
      api.sessions.onDidChangeTreeData,
      () => (session && api.sessions.get(session.id)?.state === state ? api.sessions.get(session.id) : undefined),
      `session ${state} in the tree`,
      timeoutMs,
      describeTree,
    );

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'the extension to connect');
  });

  after(async () => {
    // Whatever happened above, the container goes (bounded: see the pause race in the report).
    if (session) await bounded(outside.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }), 'cleanup session/remove', 30_000).catch(() => undefined);
    outside?.dispose();
  });

  it('shows a session started from outside as soon as it is ready, with state icon, description and context', async () => {
    session = await bounded(outside.rpc.sendRequest(SessionStart, { repo: workspaceFolder(), image: IMAGE, name: 'vscode-test' }), 'session/start', 60_000);
    const answered = performance.now();
    await stateInTree('ready');
    // session/changed usually arrives before the answer to session/start: then this is 0.
    console.log(`  the tree showed the ready session ${(performance.now() - answered).toFixed(1)} ms after session/start answered`);
    const item = api.sessions.getTreeItem(session.id);
    assert.equal(item.label, `vscode-test — ${workspaceFolder().split('/').pop()}`);
    assert.equal(iconId(item), 'vm-running');
    assert.match(String(item.description), /^ready · \d+s$/);
    assert.equal(item.contextValue, 'session:ready:repo');
    const roots = await api.sessions.getChildren();
    assert.equal(roots[0], session.id, 'the newest session is on top');
    const resolved = await api.sessions.resolveTreeItem(item, session.id);
    assert.ok(resolved.tooltip instanceof vscode.MarkdownString);
    assert.match(resolved.tooltip.value, /\| Commands \| 0, p50/, 'the tooltip has the summary of session/show');
  });

  it('follows a pause from outside, and offers resume (not pause) on the paused item', async () => {
    assert.ok(session);
    // One command first, so the session's persistent shell is fully started: Docker 20.10 freezes
    // a `runc init` caught mid-exec by a pause, and then unpause and remove hang in the engine
    // (the known race, reproduced and reported; it is not what this test is about).
    await bounded(outside.rpc.sendRequest(ShellExec, { session: session.id, command: 'true' }), 'shell/exec before the pause');
    // Docker's freezer sometimes refuses ("unable to freeze") while an exec is being set up in
    // the container: retried, and said in the output, so the report can count it.
    for (let attempt = 1; ; attempt++) {
      try {
        await bounded(outside.rpc.sendRequest(SessionPause, { session: session.id }), 'session/pause');
        break;
      } catch (error) {
        if (attempt >= 3 || !/unable to freeze/.test(String(error))) throw error;
        console.log(`  session/pause refused by the engine (attempt ${attempt}): ${String(error)}`);
      }
    }
    await stateInTree('paused');
    const item = api.sessions.getTreeItem(session.id);
    assert.equal(item.contextValue, 'session:paused:repo');
    assert.equal(iconId(item), 'debug-pause');
  });

  it('resumes through its own command, and the daemon agrees', async () => {
    assert.ok(session);
    await bounded(vscode.commands.executeCommand('corral.session.resume', session.id), 'corral.session.resume (session/resume) after a pause right after ready');
    await stateInTree('ready');
    const shown = await bounded(outside.rpc.sendRequest(SessionShow, { session: session.id }), 'session/show');
    assert.equal(shown.session.state, 'ready');
  });

  it("reviews the session's changes as a read-only diff document", async () => {
    assert.ok(session);
    await bounded(outside.rpc.sendRequest(ShellExec, { session: session.id, command: 'printf "hello from the jail\\n" > NEW.txt' }), 'shell/exec');
    await bounded(vscode.commands.executeCommand('corral.session.reviewChanges', session.id), 'corral.session.reviewChanges');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, 'corral-diff');
    assert.equal(editor.document.languageId, 'diff');
    assert.match(editor.document.getText(), /NEW\.txt/);
    assert.match(editor.document.getText(), /^\+hello from the jail$/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // The session expands into its changed files; a click opens that file's diff, both sides read-only.
    const children = await api.sessions.getChildren(session.id);
    const items = children.map((child) => api.sessions.getTreeItem(child));
    assert.deepEqual(
      items.map((item) => `${String(item.label)} ${String(item.description)}`),
      ['NEW.txt +1 −0'],
    );
    const open = items[0]!.command!;
    await bounded(vscode.commands.executeCommand(open.command, ...(open.arguments ?? [])), 'open the file diff');
    const right = vscode.window.activeTextEditor;
    assert.ok(right, 'the diff editor is open');
    assert.equal(right.document.uri.scheme, 'corral-session');
    assert.equal(right.document.getText(), 'hello from the jail\n');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('drops the item when the session is removed from outside', async () => {
    assert.ok(session);
    const id = session.id;
    assert.ok(api.sessions.get(id), 'the item is there before the removal');
    await bounded(outside.rpc.sendRequest(SessionRemove, { session: id }), 'session/remove');
    session = undefined;
    await waitFor(api.sessions.onDidChangeTreeData, () => api.sessions.get(id) === undefined, 'the item to go', 20_000, describeTree);
  });
});
