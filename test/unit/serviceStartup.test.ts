import * as assert from 'node:assert/strict';
import { DaemonStatusRequest, KvGet, KvPut, SessionList, SessionStart, UsageQuery } from '../../server/protocol';
import { FakeJail } from '../support/fakeJail';
import { startHarness, type Harness } from '../support/harness';

/**
 * T-17: start-up reconciliation with the engine (which loads dockerode and asks Docker: most of a
 * cold start) runs while store-only methods answer; session methods wait for it. The engine is
 * held here, so the order is certain; test/bench/startup.bench.ts measures the real daemon.
 */
describe('service: start-up serves the store before reconciliation ends (T-17)', () => {
  let h: Harness | undefined;
  let release: () => void = () => undefined;
  after(async () => {
    release(); // closing waits for reconciliation
    await h?.close();
  });

  it('kv, status and usage answer while the engine is still being asked; session methods answer once it has', async () => {
    const jail = new FakeJail();
    release = jail.holdList();
    h = await startHarness({ jail });
    assert.ok(jail.calls.includes('list'), 'reconciliation has started');
    const client = await h.connect();

    let sessionsAnswered = false;
    const sessions = client.rpc.sendRequest(SessionList, {}).then((list) => {
      sessionsAnswered = true;
      return list;
    });
    const starting = client.rpc.sendRequest(SessionStart, { image: 'corral/fake:latest' });
    await client.rpc.sendRequest(KvPut, { key: 'k', value: 'v' });
    assert.equal((await client.rpc.sendRequest(KvGet, { key: 'k' }))?.value, 'v');
    assert.equal((await client.rpc.sendRequest(DaemonStatusRequest, {})).pid, process.pid);
    assert.equal((await client.rpc.sendRequest(UsageQuery, {})).total.calls, 0);
    // Sent before the store-only calls, and still unanswered after them: held.
    assert.equal(sessionsAnswered, false, 'session/list waited for reconciliation');
    assert.ok(!jail.calls.some((c) => c.startsWith('create')), 'no session was started before reconciliation');

    release();
    assert.deepEqual(await sessions, []);
    assert.equal((await starting).state, 'ready');
    await h.daemon.reconciled;
  });
});
