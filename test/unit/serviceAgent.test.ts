import * as assert from 'node:assert/strict';
import { AgentList, AgentRun, SessionStart, UsageQuery, type RunEvent } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

/** $ per million tokens of the scripted model (config.json `prices`), so every cost is known exactly. */
const PRICE = { inputPerMTok: 2, outputPerMTok: 10 };
const cost = (input: number, output: number): number => (input * PRICE.inputPerMTok + output * PRICE.outputPerMTok) / 1e6;

// A type alias, not an interface: the store's rows are records (index signature).
type LedgerRow = {
  run_id: string;
  user: string;
  session_id: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  outcome: string;
  at: string;
};

/**
 * The agent through the real RPC edge, AgentService, loop, tools, budgets and ledger, with a
 * scripted model and the fake jail: exact ledger rows and totals, and the budget stop. The SDKs'
 * wire behaviour is test/integration/providers.test.ts's; real jails are agent.test.ts's.
 */
describe('service: agent runs (in-process harness)', () => {
  let h: Harness;
  let client: HarnessClient;
  let session: string;

  before(async () => {
    h = await startHarness({
      config: { prices: { 'scripted-1': PRICE } },
      script: (command) => (command === 'npm test' ? { stdout: '3 passing\n' } : { stdout: `did ${command}\n` }),
    });
    client = await h.connect();
    session = (await client.rpc.sendRequest(SessionStart, { image: 'corral/fake:latest' })).id;
  });
  after(async () => h?.close());

  const rows = (runId: string): LedgerRow[] => h.store.read((r) => r.all<LedgerRow>('SELECT * FROM llm_calls WHERE run_id = ? ORDER BY id', [runId]));

  it('a three-step run: tools run in the jail, each call is one ledger row, the totals are their exact sums', async () => {
    h.llm.play([
      { toolCalls: [{ name: 'shell', arguments: { command: 'sed -i s/a/b/ x.js' } }], usage: { inputTokens: 1200, outputTokens: 80 } },
      { toolCalls: [{ name: 'shell', arguments: { command: 'npm test' } }], usage: { inputTokens: 1500, outputTokens: 40 } },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'fixed x.js; npm test passes' } }], usage: { inputTokens: 1700, outputTokens: 30 } },
    ]);
    const events: RunEvent[] = [];
    client.rpc.onNotification('agent/progress', (params: { event: RunEvent }) => void events.push(params.event));
    const summary = await client.rpc.sendRequest(AgentRun, { session, prompt: 'fix x.js', provider: 'scripted' });

    assert.equal(summary.outcome, 'finished');
    assert.equal(summary.summary, 'fixed x.js; npm test passes');
    assert.equal(summary.steps, 3);
    assert.deepEqual(h.jail.commands.slice(-2), ['sed -i s/a/b/ x.js', 'npm test']);
    // What the tools returned is what the model saw next.
    const toolMessage = h.llm.requests[2]?.messages.find((m) => m.role === 'tool' && m.results.some((r) => r.content.includes('3 passing')));
    assert.ok(toolMessage, 'the second step’s output was sent to the model');

    const ledger = rows(summary.runId);
    assert.deepEqual(
      ledger.map((r) => [r.user, r.session_id, r.model, r.input_tokens, r.output_tokens, r.outcome, r.at]),
      [
        [h.owner, session, 'scripted-1', 1200, 80, 'ok', h.clock.now().toISOString()],
        [h.owner, session, 'scripted-1', 1500, 40, 'ok', h.clock.now().toISOString()],
        [h.owner, session, 'scripted-1', 1700, 30, 'ok', h.clock.now().toISOString()],
      ],
    );
    for (const row of ledger) assert.ok(Math.abs(row.cost_usd! - cost(row.input_tokens, row.output_tokens)) < 1e-12);
    assert.equal(summary.tokens.calls, 3);
    assert.equal(summary.tokens.inputTokens, 4400);
    assert.equal(summary.tokens.outputTokens, 150);
    assert.ok(Math.abs(summary.costUsd! - cost(4400, 150)) < 1e-12, `run cost ${summary.costUsd}`);
    assert.deepEqual(
      events.filter((e) => e.kind === 'checkpoint').map((e) => (e as { step: number }).step),
      [1, 2],
      'each step the run went on after was journaled',
    );

    // usage/query reads the same rows through the daily roll-up.
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '2026-11-01', by: 'model' });
    const model = usage.rows.find((r) => r.key === 'scripted/scripted-1');
    assert.equal(model?.calls, 3);
    assert.equal(model?.inputTokens, 4400);
    assert.equal(model?.outputTokens, 150);
    assert.ok(Math.abs(model!.costUsd - cost(4400, 150)) < 1e-12);
    const listed = await client.rpc.sendRequest(AgentList, {});
    assert.equal(listed.runs.find((r) => r.runId === summary.runId)?.outcome, 'finished');
  });

  it('stops before the call whose worst case would pass the run’s budget, and bills nothing for it', async () => {
    // Call 1 costs $0.03. The worst case of a call is its prompt's bytes as input tokens plus
    // 8,192 output tokens (≈ $0.09 here): within $0.10 first, beyond it after call 1.
    h.llm.play([
      { toolCalls: [{ name: 'shell', arguments: { command: 'ls' } }], usage: { inputTokens: 10_000, outputTokens: 1_000 } },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'never reached' } }], usage: { inputTokens: 1, outputTokens: 1 } },
    ]);
    const summary = await client.rpc.sendRequest(AgentRun, { session, prompt: 'list files', provider: 'scripted', budgetUsd: 0.1 });
    assert.equal(summary.outcome, 'budget');
    assert.equal(h.llm.requests.length, 1, 'the second call was never made');
    assert.equal(summary.steps, 1);
    assert.ok(summary.error?.hint);
    const ledger = rows(summary.runId);
    assert.deepEqual(
      ledger.map((r) => [r.input_tokens, r.output_tokens, r.outcome]),
      [
        [10_000, 1_000, 'ok'],
        [0, 0, 'budget'],
      ],
    );
    assert.ok(Math.abs(summary.costUsd! - cost(10_000, 1_000)) < 1e-12);
    assert.ok(ledger[1]!.cost_usd === 0 || ledger[1]!.cost_usd === null, 'the refused call cost nothing');
  });
});
