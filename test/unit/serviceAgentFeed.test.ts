import * as assert from 'node:assert/strict';
import { AgentRun, AgentSteps, ErrorCode, SessionStart, type AgentChange } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const PRICE = { inputPerMTok: 2, outputPerMTok: 10 };

/**
 * `agent/changed` and `agent/steps` through the real RPC edge on the in-process daemon: a run one
 * client starts is seen live by the user's other clients (never by another user's), with the
 * ledger's totals; its journaled steps are readable by the user only.
 */
describe('service: agent/changed broadcast and agent/steps (in-process harness)', () => {
  let h: Harness;
  let starter: HarnessClient;
  let watcher: HarnessClient;
  let stranger: HarnessClient;
  let session: string;

  before(async () => {
    h = await startHarness({ config: { prices: { 'scripted-1': PRICE } }, script: (command) => ({ stdout: `did ${command}\n` }) });
    starter = await h.connect();
    watcher = await h.connect();
    stranger = await h.connect('bob');
    session = (await starter.rpc.sendRequest(SessionStart, { image: 'corral/fake:latest' })).id;
  });
  after(async () => h?.close());

  it("sends every change of a run to all of its owner's connections, ending with the summary's totals", async () => {
    h.llm.play([
      { toolCalls: [{ name: 'shell', arguments: { command: 'make' } }], usage: { inputTokens: 1000, outputTokens: 50 } },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'built it' } }], usage: { inputTokens: 1200, outputTokens: 20 } },
    ]);
    const summary = await starter.rpc.sendRequest(AgentRun, { session, prompt: 'build it', provider: 'scripted' });
    assert.equal(summary.outcome, 'finished');
    const changes = watcher.notifications.filter((n) => n.method === 'agent/changed').map((n) => n.params as AgentChange);
    assert.ok(changes.length > 0, 'the watcher heard the run');
    assert.ok(changes.every((c) => c.runId === summary.runId && c.sessionId === session && c.goal === 'build it'));
    assert.deepEqual(
      changes.map((c) => c.event?.kind ?? 'end'),
      ['started', 'model', 'tool', 'checkpoint', 'model', 'tool', 'end'],
    );
    // While it runs: no outcome, totals as the ledger has them after each call.
    const afterFirstCall = changes[1]!;
    assert.equal(afterFirstCall.outcome, null);
    assert.equal(afterFirstCall.tokens.inputTokens, 1000);
    assert.equal(afterFirstCall.costUsd, (1000 * 2 + 50 * 10) / 1e6);
    assert.equal(changes[3]!.steps, 1, 'the checkpoint counts the completed step');
    const end = changes.at(-1)!;
    assert.equal(end.outcome, 'finished');
    assert.equal(end.summary, 'built it');
    assert.deepEqual(end.tokens, summary.tokens);
    assert.equal(end.costUsd, summary.costUsd);
    assert.equal(end.steps, summary.steps);
    // The starter hears it too (beside its agent/progress); another user hears nothing.
    assert.ok(starter.notifications.some((n) => n.method === 'agent/changed'));
    assert.equal(stranger.notifications.filter((n) => n.method === 'agent/changed').length, 0);
  });

  it('gives the owner the journaled steps of a run (tool calls with their results), and no one else', async () => {
    const runId = (watcher.notifications.find((n) => n.method === 'agent/changed')!.params as AgentChange).runId;
    const { steps } = await watcher.rpc.sendRequest(AgentSteps, { run: runId });
    assert.deepEqual(steps, [{ step: 1, text: '', tools: [{ name: 'shell', arguments: '{"command":"make"}', ok: true, result: steps[0]!.tools[0]!.result }] }]);
    assert.match(steps[0]!.tools[0]!.result, /did make/);
    await assert.rejects(stranger.rpc.sendRequest(AgentSteps, { run: runId }), (error: { code?: number }) => error.code === ErrorCode.NotFound);
  });
});
