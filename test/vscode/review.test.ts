import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SessionRemove, SessionStart, ShellExec, type RunSummary, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import type { ApplyResult } from '../../extension/review/reviewCommands';
import { startFakeProvider, type FakeProvider } from './fakeProvider';
import { bounded, corral, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

describe('Review and apply (multi-file diff, source control, apply)', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let session: SessionInfo | undefined;
  let fake: FakeProvider;
  let sides: { resource: string; left?: string; right?: string }[] = [];
  const repo = (): string => workspaceFolder();
  const readme = (): string => fs.readFileSync(path.join(repo(), 'README.md'), 'utf8');

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    fake = await startFakeProvider();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'the extension to connect');
    session = await bounded(outside.rpc.sendRequest(SessionStart, { repo: repo(), image: IMAGE, name: 'review-test' }), 'session/start', 60_000);
    await waitFor(api.sessions.onDidChangeTreeData, () => api.sessions.get(session!.id)?.state === 'ready', 'the session in the tree');
    // The session edits a file and adds one, as an agent would.
    await bounded(
      outside.rpc.sendRequest(ShellExec, { session: session.id, command: 'printf "fixture, reviewed\\n" > README.md && printf "one\\ntwo\\n" > ADDED.txt' }),
      'shell/exec',
    );
  });

  after(async () => {
    if (session) await bounded(outside.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }), 'cleanup session/remove', 30_000).catch(() => undefined);
    outside?.dispose();
    await fake?.close();
    // The fixture repository is shared with the other tests: back to its commit.
    execFileSync('git', ['checkout', '--', 'README.md'], { cwd: repo() });
    fs.rmSync(path.join(repo(), 'ADDED.txt'), { force: true });
  });

  it('opens the multi-file diff of the session against its base, both sides read-only documents', async () => {
    assert.ok(session);
    sides = await bounded(vscode.commands.executeCommand<{ resource: string; left?: string; right?: string }[]>('corral.reviewChanges', session.id), 'corral.reviewChanges');
    assert.deepEqual(
      sides.map((side) => path.basename(vscode.Uri.parse(side.resource).fsPath)),
      ['ADDED.txt', 'README.md'],
    );
    const added = sides[0]!;
    const changed = sides[1]!;
    assert.equal(added.left, undefined, 'an added file has no base side');
    const text = async (uri: string): Promise<string> => (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
    assert.equal(await text(added.right!), 'one\ntwo\n');
    assert.equal(await text(changed.left!), 'fixture\n');
    assert.equal(await text(changed.right!), 'fixture, reviewed\n');
    assert.match(changed.left!, /^corral-base:/);
    assert.match(changed.right!, /^corral-session:/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it("shows the session's changes as a source control with a Changes group, +N −M per file", async () => {
    assert.ok(session);
    const id = session.id;
    await api.agent.changes.refresh(id);
    const scm = await waitFor(api.agent.changes.onDidChange, () => api.agent.changes.get(id), 'the source control of the session');
    assert.equal(scm.scm.label, 'Corral: review-test');
    assert.equal(scm.scm.count, 2);
    assert.equal(scm.group.label, 'Changes');
    assert.deepEqual(
      scm.group.resourceStates.map((state) => state.decorations?.tooltip),
      ['ADDED.txt: +2 −0 · added', 'README.md: +1 −1 · modified'],
    );
    assert.equal(scm.group.resourceStates[1]!.resourceUri.fsPath, path.join(repo(), 'README.md'));
    assert.equal(api.agent.changes.sessionOf(scm.scm), id, 'a title action on the source control finds its session');
  });

  it('sends a comment on a line of the review to the agent as its next turn in the session, and shows its answer under the comment', async () => {
    assert.ok(session);
    const right = sides[1]?.right;
    assert.ok(right, 'the review gave the session side of README.md');
    fake.llm.play([
      { toolCalls: [{ name: 'edit_file', arguments: { path: 'README.md', old_text: 'reviewed', new_text: 'reviewed twice' } }], usage: { input: 800, output: 20 } },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'Said it twice, as asked.' } }], usage: { input: 900, output: 10 } },
    ]);
    const thread = api.agent.comments.controller.createCommentThread(vscode.Uri.parse(right), new vscode.Range(0, 0, 0, 0), []);
    try {
      const summary = await bounded(
        vscode.commands.executeCommand<RunSummary | undefined>('corral.review.comment', { thread, text: 'Say it twice.' }),
        'corral.review.comment',
        90_000,
      );
      assert.equal(summary?.outcome, 'finished');
      assert.equal(summary.sessionId, session.id, 'the run worked in the reviewed session');
      const goal = JSON.stringify(fake.llm.requests[0]?.body);
      assert.match(goal, /commented on line 1 of README\.md/);
      assert.match(goal, /Say it twice\./);
      assert.deepEqual(
        thread.comments.map((c) => c.author.name),
        ['You', 'Corral agent'],
      );
      const answer = thread.comments[1]!.body;
      assert.match(typeof answer === 'string' ? answer : answer.value, /Said it twice, as asked\./);
      // The session side of the review shows the file as the agent left it.
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(right));
      await waitFor(
        vscode.workspace.onDidChangeTextDocument,
        () => document.getText() === 'fixture, reviewed twice\n',
        'the session document to be read again',
        10_000,
        () => document.getText(),
      );
    } finally {
      thread.dispose();
    }
  });

  it('refuses an apply that conflicts with your own edit, saying why, and changes nothing', async () => {
    assert.ok(session);
    fs.writeFileSync(path.join(repo(), 'README.md'), 'my own edit\n');
    const result = await bounded(vscode.commands.executeCommand<ApplyResult>('corral.applyChanges', { session: session.id, mode: 'patch' }), 'corral.applyChanges');
    assert.ok(result && 'refused' in result, `refused: ${JSON.stringify(result)}`);
    assert.match(result.refused, /do not apply to your working tree/);
    assert.equal(readme(), 'my own edit\n', 'your file is as you left it');
    assert.equal(fs.existsSync(path.join(repo(), 'ADDED.txt')), false, 'nothing else was written');
  });

  it("applies the session's changes to the repository (Apply all)", async () => {
    assert.ok(session);
    execFileSync('git', ['checkout', '--', 'README.md'], { cwd: repo() });
    const result = await bounded(vscode.commands.executeCommand<ApplyResult>('corral.applyChanges', { session: session.id, mode: 'patch' }), 'corral.applyChanges');
    assert.deepEqual(result, { applied: 2 });
    assert.equal(readme(), 'fixture, reviewed twice\n');
    assert.equal(fs.readFileSync(path.join(repo(), 'ADDED.txt'), 'utf8'), 'one\ntwo\n');
  });
});
