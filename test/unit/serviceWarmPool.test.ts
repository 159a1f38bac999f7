import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { POOL_OWNER } from '../../server/sessions/warmPool';
import { historyRepo } from '../support/gitrepo';
import { FAKE_IMAGE, openSessionService, type SessionServiceFixture } from '../support/sessionService';

/**
 * The warm pool (server/sessions/warmPool.ts) inside a real SessionService over the fake jail: what
 * it keeps ready, what a claim hands over and what it leaves to the engine. The Docker-backed
 * test/integration/pool.test.ts shows the same with real containers and the start time.
 */
describe('service: warm pool (no Docker)', () => {
  let f: SessionServiceFixture;
  let repo: ReturnType<typeof historyRepo>;
  const owner = 'alice';

  beforeEach(async () => {
    f = await openSessionService({ poolSize: 2 });
    repo = historyRepo();
  });
  afterEach(async () => {
    await f.close();
    repo.cleanup();
  });

  const pooled = (): { id: string; state: string; commit: string | undefined; containerId: string | null }[] =>
    f.sessions.repository.list(POOL_OWNER).map((s) => ({ id: s.id, state: s.state, commit: s.git?.baseCommit, containerId: s.containerId }));

  it('fills to its size after a start over a repository; a claim is one store write with no engine call, and the pool refills', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    const first = await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE });
    assert.equal(first.owner, owner);
    await f.sessions.pool.settled();
    const before = pooled();
    assert.equal(before.length, 2);
    assert.ok(before.every((s) => s.state === 'ready' && s.commit === head && s.containerId !== null));

    const calls = f.jail.calls.length;
    const claimed = await f.sessions.start(owner, { repo: path.join(repo.dir, 'src'), image: FAKE_IMAGE, name: 'warm' });
    // The claim itself asked nothing of the engine: the next engine call is the refill's create.
    const sinceClaim = f.jail.calls.slice(calls);
    assert.ok(!sinceClaim.some((c) => c.includes(claimed.id)), `the engine was asked about the claimed session: ${sinceClaim.join(', ')}`);
    assert.equal(claimed.id, before[0]!.id, 'the oldest pooled session is handed out');
    assert.deepEqual([claimed.owner, claimed.name, claimed.repo, claimed.state, claimed.baseCommit], [owner, 'warm', fs.realpathSync(path.join(repo.dir, 'src')), 'ready', head]);
    const events = f.sessions.show(owner, claimed.id).events;
    assert.deepEqual(events.at(-1) && [events.at(-1)!.kind, events.at(-1)!.actor, events.at(-1)!.from, events.at(-1)!.to], ['claimed', owner, 'ready', 'ready']);
    assert.ok(
      f.announced.some((a) => a.owner === owner && a.session.id === claimed.id),
      'the new owner is told of the session',
    );
    assert.ok(!f.sessions.list(POOL_OWNER).some((s) => s.id === claimed.id), 'no longer the pool’s');

    await f.sessions.pool.settled();
    assert.equal(pooled().length, 2, 'refilled');
    assert.ok(!pooled().some((s) => s.id === claimed.id));
  });

  it('follows HEAD: sessions of a commit the repository moved away from are removed, new ones made at the new HEAD', async () => {
    await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE });
    await f.sessions.pool.settled();
    const old = pooled();
    repo.git('commit', '--allow-empty', '-qm', 'moved on');
    const head = repo.git('rev-parse', 'HEAD').trim();

    const fresh = await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE });
    assert.ok(!old.some((s) => s.id === fresh.id), 'nothing pooled at the new HEAD to claim: a fresh start');
    assert.equal(fresh.baseCommit, head);
    await f.sessions.pool.settled();
    const now = pooled();
    assert.equal(now.length, 2);
    assert.ok(now.every((s) => s.commit === head));
    for (const stale of old) {
      assert.equal(f.sessions.repository.byId(stale.id), undefined, 'a stale pooled session is purged, not kept as removed');
      assert.equal(f.jail.stateOf(stale.containerId!), undefined, 'and its container removed');
    }
  });

  it('is not used for a start with limits or with the uncommitted changes', async () => {
    await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE });
    await f.sessions.pool.settled();
    const ids = new Set(pooled().map((s) => s.id));
    const limited = await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE, limits: { pids: 50 } });
    const withChanges = await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE, withChanges: true });
    assert.ok(!ids.has(limited.id) && !ids.has(withChanges.id));
    assert.equal(limited.limits.pids, 50);
    assert.deepEqual(new Set(pooled().map((s) => s.id)), ids, 'the pool is as it was');
  });

  it('drains: every pooled session goes with its container and workspace; the users’ stay', async () => {
    const mine = await f.sessions.start(owner, { repo: repo.dir, image: FAKE_IMAGE });
    await f.sessions.pool.settled();
    const before = pooled();
    await f.sessions.drainPool();
    assert.deepEqual(pooled(), []);
    for (const s of before) {
      assert.equal(f.jail.stateOf(s.containerId!), undefined);
      assert.ok(!fs.existsSync(path.join(f.worktrees, s.id)));
    }
    assert.equal(f.sessions.show(owner, mine.id).session.state, 'ready');
    assert.equal(f.jail.stateOf(mine.containerId!), 'running');
  });
});
