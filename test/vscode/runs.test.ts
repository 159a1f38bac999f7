import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AgentRun, SessionRemove, type RunSummary } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import type { RunNode } from '../../extension/runs/present';
import { PROVIDER, startFakeProvider, writeThenFinish, type FakeProvider } from './fakeProvider';
import { bounded, corral, iconId, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

describe('Agent runs (Runs view, Run Agent, transcript)', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let fake: FakeProvider;
  const sessions = new Set<string>();
  const describeRuns = (): string =>
    api.runs
      .list()
      .map((run) => `${run.runId} ${run.outcome ?? 'running'} step ${run.steps}`)
      .join(', ') || 'none';
  const runItem = (runId: string): vscode.TreeItem => api.agent.runsTree.getTreeItem({ kind: 'run', runId });

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    fake = await startFakeProvider();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'the extension to connect');
  });

  after(async () => {
    for (const session of sessions) await bounded(outside.rpc.sendRequest(SessionRemove, { session, purge: true }), 'cleanup session/remove', 30_000).catch(() => undefined);
    outside?.dispose();
    await fake?.close();
    // The task run closed a task of the fixture board, which later tests read as it was.
    execFileSync('git', ['checkout', '--', 'docs/TASKS.md'], { cwd: workspaceFolder() });
  });

  it('shows a run started from outside (as the CLI does) live: running with its steps, then finished with tokens and cost', async () => {
    fake.llm.play(writeThenFinish('AGENT.txt', 'written by the agent\n'));
    // Every description the view drew for a run, in order: the run must be seen while it goes.
    const drawn: string[] = [];
    const watch = api.agent.runsTree.onDidChangeTreeData(() => {
      for (const run of api.runs.list()) drawn.push(`${run.runId} ${String(runItem(run.runId).description)}`);
    });
    let summary: RunSummary;
    try {
      summary = await bounded(
        outside.rpc.sendRequest(AgentRun, { prompt: 'Write AGENT.txt', repo: workspaceFolder(), image: IMAGE, provider: PROVIDER }),
        'agent/run from outside',
        90_000,
      );
    } finally {
      watch.dispose();
    }
    sessions.add(summary.sessionId);
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    const run = await waitFor(
      api.runs.onDidChange,
      () => (api.runs.get(summary.runId)?.outcome === 'finished' ? api.runs.get(summary.runId) : undefined),
      'the run finished in the view',
      20_000,
      describeRuns,
    );
    assert.ok(
      drawn.some((line) => line.startsWith(summary.runId) && / · running$/.test(line)),
      `the view drew the run while it was running: ${drawn.join(' | ')}`,
    );

    const item = runItem(run.runId);
    assert.equal(item.label, 'Write AGENT.txt');
    assert.match(String(item.description), /^step 2 · 2\.1K tok · \$0\.21 · \d+s · finished$/);
    assert.equal(iconId(item), 'pass-filled');
    assert.equal(item.contextValue, 'run:finished');
    // Expands into its steps: tool call → result in brief.
    const stepLabels = async (): Promise<string[]> =>
      (await api.agent.runsTree.getChildren({ kind: 'run', runId: run.runId })).map((step) => String(api.agent.runsTree.getTreeItem(step).label));
    const expected = ['1. write_file AGENT.txt → wrote 21 bytes to AGENT.txt', '2. finish wrote AGENT.txt → finished'];
    assert.deepEqual(await stepLabels(), expected);
    // A window that did not watch the run (opened after it) reads the steps from its journal
    // (agent/steps); the finishing step is not journaled (the run's summary says it).
    run.watched.length = 0;
    assert.deepEqual(await stepLabels(), expected.slice(0, 1));

    // Its session expands into the run (then the files it changed).
    const children = await api.sessions.getChildren(summary.sessionId);
    assert.deepEqual(children[0], { kind: 'run', runId: run.runId });
    assert.equal(api.sessions.getTreeItem(children[0]!).label, 'Write AGENT.txt');
  });

  it('runs the agent from VS Code in an existing session, and opens its transcript as a read-only document', async () => {
    const session = [...sessions][0];
    assert.ok(session, 'the first test started a session');
    fake.llm.play(writeThenFinish('SECOND.txt', 'second\n'));
    const summary = await bounded(
      vscode.commands.executeCommand<RunSummary | undefined>('corral.runAgent', { prompt: 'Write SECOND.txt', session, provider: PROVIDER }),
      'corral.runAgent',
      90_000,
    );
    assert.ok(summary, 'the command answers with the run summary');
    assert.equal(summary.outcome, 'finished');
    assert.equal(summary.sessionId, session);
    await waitFor(api.runs.onDidChange, () => api.runs.get(summary.runId)?.outcome === 'finished', 'the run in the view', 20_000, describeRuns);

    const uri = await bounded(vscode.commands.executeCommand<string>('corral.runs.openTranscript', { kind: 'run', runId: summary.runId } satisfies RunNode), 'open the transcript');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.toString(), uri);
    assert.equal(editor.document.uri.scheme, 'corral-run');
    const text = editor.document.getText();
    assert.match(text, /^# Agent run [0-9a-f]+$/m);
    assert.match(text, /^- Outcome: finished after 2 step\(s\)/m);
    assert.match(text, /^✓ write_file \{"path":"SECOND\.txt","content":"second\\n"\}$/m);
    assert.match(text, /^→ wrote 7 bytes to SECOND\.txt$/m);
    assert.match(text, /^finished: wrote SECOND\.txt$/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('stops a running run from the Runs view (agent/stop): outcome stopped', async () => {
    const session = [...sessions][0];
    assert.ok(session);
    fake.llm.play([{ toolCalls: [{ name: 'shell', arguments: { command: 'sleep 120' } }], usage: { input: 500, output: 10 } }, { text: 'never reached' }]);
    const running = bounded(outside.rpc.sendRequest(AgentRun, { prompt: 'Wait a long time', session, provider: PROVIDER }), 'agent/run to stop', 60_000);
    // The model has asked for the shell: the run is in its first step's tool.
    const run = await waitFor(
      api.runs.onDidEvent,
      () => api.runs.list().find((r) => r.goal === 'Wait a long time' && r.outcome === null && r.watched.length > 0),
      'the run to be running',
      30_000,
      describeRuns,
    );
    assert.equal(runItem(run.runId).contextValue, 'run:running', 'the view offers Stop');
    await bounded(vscode.commands.executeCommand('corral.runs.stop', { kind: 'run', runId: run.runId } satisfies RunNode), 'corral.runs.stop');
    const summary = await running;
    assert.equal(summary.outcome, 'stopped');
    await waitFor(api.runs.onDidChange, () => api.runs.get(run.runId)?.outcome === 'stopped', 'the stopped run in the view', 20_000, describeRuns);
    assert.equal(iconId(runItem(run.runId)), 'debug-stop');
  });

  it('runs the agent on a task of the board (Run Agent on Task): claimed, worked on in a new session, closed with the outcome', async () => {
    const board = path.join(workspaceFolder(), 'docs', 'TASKS.md');
    fake.llm.play([{ toolCalls: [{ name: 'finish', arguments: { summary: 'reconnects after a crash now' } }], usage: { input: 700, output: 15 } }]);
    const summary = await bounded(
      vscode.commands.executeCommand<RunSummary | undefined>('corral.runAgent', { task: 'T-3', board, repo: workspaceFolder(), session: null, provider: PROVIDER }),
      'corral.runAgent on T-3',
      90_000,
    );
    assert.ok(summary);
    sessions.add(summary.sessionId);
    assert.equal(summary.outcome, 'finished');
    assert.deepEqual(summary.task && { id: summary.task.id, status: summary.task.status }, { id: 'T-3', status: 'done' });
    // The goal was the task's own text, from the board.
    assert.match(JSON.stringify(fake.llm.requests[0]?.body), /Work on task T-3 of the task board TASKS\.md: Reconnect after a crash/);
    assert.match(fs.readFileSync(board, 'utf8'), /^- \[x\] T-3 Reconnect after a crash/m);
    const run = await waitFor(api.runs.onDidChange, () => api.runs.get(summary.runId), 'the task run in the view', 20_000, describeRuns);
    assert.equal(run.task, 'T-3');
    // (The title as the board reads it: an earlier test may have assigned the task.)
    assert.match(String(runItem(run.runId).label), /^T-3 Reconnect after a crash/);
  });
});
