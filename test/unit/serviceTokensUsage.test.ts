import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AuthIssue, ErrorCode, UsageQuery } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const code = (expected: number) => (error: { code: number }) => error.code === expected;

/**
 * The services behind `auth/issue` and `usage/query` (server/services/auth.ts, usage.ts) through
 * the real edge: the daemon's clock, not the host's, decides times; tokens are kept only as hashes.
 */
describe('service: issued tokens and usage/query (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;

  before(async () => {
    h = await startHarness({ now: '2026-11-20T12:00:00.000Z' });
    owner = await h.connect();
  });
  after(async () => h?.close());

  it('issues a token that works once shown, keeps only its SHA-256 with the clock’s time, and refuses the daemon’s owner', async () => {
    h.clock.advance(90_000);
    const issued = await owner.rpc.sendRequest(AuthIssue, { user: 'bob' });
    assert.equal(issued.user, 'bob');
    const rows = h.store.read((r) => r.all<{ hash: string; user: string; created_at: string }>('SELECT hash, user, created_at FROM tokens'));
    assert.deepEqual(rows, [{ hash: createHash('sha256').update(issued.token).digest('hex'), user: 'bob', created_at: h.clock.now().toISOString() }]);
    const bob = await h.connect('bob');
    assert.equal(bob.user, 'bob');
    await assert.rejects(owner.rpc.sendRequest(AuthIssue, { user: h.owner }), code(ErrorCode.InvalidParams));
    await assert.rejects(bob.rpc.sendRequest(AuthIssue, { user: 'carol' }), code(ErrorCode.Forbidden));
  });

  it('answers usage/query over a window that ends at the daemon’s clock, everyone’s for the owner only', async () => {
    const report = await owner.rpc.sendRequest(UsageQuery, { since: '7d' });
    assert.equal(report.until, h.clock.now().toISOString());
    assert.equal(report.since, new Date(h.clock.now().getTime() - 7 * 86_400_000).toISOString());
    assert.equal(report.by, 'day');
    const other = await h.connect('dave');
    await assert.rejects(other.rpc.sendRequest(UsageQuery, { allUsers: true }), code(ErrorCode.Forbidden));
    await assert.rejects(owner.rpc.sendRequest(UsageQuery, { since: 'last tuesday' }), code(ErrorCode.InvalidParams));
    assert.equal((await owner.rpc.sendRequest(UsageQuery, { allUsers: true, by: 'user' })).total.calls, 0);
  });
});
