import * as assert from 'node:assert/strict';
import { ErrorCode, UsageImport, UsageQuery, type ImportRow } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const PRICE = { inputPerMTok: 3, outputPerMTok: 15 };
const cost = (input: number, output: number): number => (input * PRICE.inputPerMTok + output * PRICE.outputPerMTok) / 1e6;

const row = (externalId: string, at: string, inputTokens: number, outputTokens: number): ImportRow => ({
  externalId,
  at,
  provider: 'acme',
  model: 'acme-1',
  session: 's-1',
  inputTokens,
  outputTokens,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

const ROWS = [row('a', '2026-11-20T09:00:00.000Z', 1000, 100), row('b', '2026-11-20T17:30:00.000Z', 2000, 50), row('c', '2026-11-21T08:00:00.000Z', 500, 500)];

/**
 * Usage through the real RPC edge, ledger, daily roll-up and queries on a real store: exact
 * totals by day and model, imports counted once, each user's usage their own, `usage/changed` to
 * its user only. Analytics in depth are test/unit/analytics.test.ts's.
 */
describe('service: usage (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;
  let other: HarnessClient;

  before(async () => {
    h = await startHarness({ config: { prices: { 'acme-1': PRICE } } });
    owner = await h.connect();
    other = await h.connect('mallory');
  });
  after(async () => h?.close());

  it('imported calls are priced, rolled up by day with exact totals, counted once, and announced to their user only', async () => {
    const imported = await owner.rpc.sendRequest(UsageImport, { source: 'claude-code', rows: ROWS });
    assert.equal(imported.added, 3);
    assert.ok(Math.abs(imported.costUsd - cost(3500, 650)) < 1e-12);
    await owner.next('usage/changed');

    const byDay = await owner.rpc.sendRequest(UsageQuery, { since: '2026-11-01', by: 'day' });
    assert.deepEqual(
      byDay.rows.map((r) => [r.key, r.calls, r.inputTokens, r.outputTokens]),
      [
        ['2026-11-20', 2, 3000, 150],
        ['2026-11-21', 1, 500, 500],
      ],
    );
    assert.equal(byDay.total.calls, 3);
    assert.ok(Math.abs(byDay.total.costUsd - cost(3500, 650)) < 1e-12);
    const byModel = await owner.rpc.sendRequest(UsageQuery, { since: '2026-11-01', by: 'model' });
    assert.deepEqual(
      byModel.rows.map((r) => [r.key, r.calls]),
      [['acme/acme-1', 3]],
    );

    const again = await owner.rpc.sendRequest(UsageImport, { source: 'claude-code', rows: ROWS });
    assert.deepEqual([again.added, again.duplicates], [0, 3]);
    assert.equal((await owner.rpc.sendRequest(UsageQuery, { since: '2026-11-01' })).total.calls, 3, 'nothing counted twice');

    // A reply follows every notification sent to that connection before it: none reached mallory.
    assert.equal((await other.rpc.sendRequest(UsageQuery, { since: '2026-11-01' })).total.calls, 0, 'another user sees only their own usage');
    assert.deepEqual(
      other.notifications.filter((n) => n.method.startsWith('usage/')),
      [],
    );
  });

  it('everyone’s usage is the daemon owner’s to see', async () => {
    await assert.rejects(other.rpc.sendRequest(UsageQuery, { since: '2026-11-01', allUsers: true }), (error: { code: number }) => error.code === ErrorCode.Forbidden);
    await other.rpc.sendRequest(UsageImport, { source: 'codex', rows: [row('z', '2026-11-22T12:00:00.000Z', 10, 10)] });
    const all = await owner.rpc.sendRequest(UsageQuery, { since: '2026-11-01', by: 'user', allUsers: true });
    assert.deepEqual(
      all.rows.map((r) => [r.key, r.calls]).sort(),
      [
        ['mallory', 1],
        [h.owner, 3],
      ].sort(),
    );
  });

  it('a bad --since is refused with what to write instead', async () => {
    await assert.rejects(owner.rpc.sendRequest(UsageQuery, { since: 'last tuesday' }), (error: { code: number; data?: { hint?: string } }) => {
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.match(error.data?.hint ?? '', /7d/);
      return true;
    });
  });
});
