import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { DEFAULT_MAXIMA } from '../../server/jail/policy';
import { memoryLogger } from '../../server/log';
import { ErrorCode } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { isRunning, toInfo, type RunningRecord, type SessionRecord } from '../../server/sessions/record';
import { SessionRepository, type NewSession } from '../../server/sessions/repository';
import { Store } from '../../server/store/store';
import { tempHome } from '../support/home';

const AT = '2026-11-16T10:00:00.000Z';
const LATER = '2026-11-16T10:05:00.000Z';

function session(id: string, owner = 'alice', git = true): NewSession {
  return {
    id,
    owner,
    name: null,
    repo: '/src/project',
    git: git ? { root: '/src/project', baseCommit: 'c0ffee', branch: `corral/${id}`, objectsDir: '/src/project/.git/objects', trustedDir: `/home/trusted/${id}.git` } : null,
    workspace: `/home/worktrees/${id}`,
    image: 'corral/fake:latest',
    limits: DEFAULT_MAXIMA,
  };
}

/** What only a running record has: the compiler refuses this for any other state. */
const containerOf = (record: RunningRecord): string => record.containerId;

/**
 * The session repository over a real sql.js store (journal and snapshot in a temporary home):
 * records typed by state, one write per transition with its event row, the pool's claim, and
 * rows as older daemons wrote them (a removed session, a state word unknown here).
 */
describe('sessions: repository (sql.js)', () => {
  let temp: ReturnType<typeof tempHome>;
  let store: Store;
  let repository: SessionRepository;

  beforeEach(async () => {
    temp = tempHome('repo');
    const paths = homePaths(temp.home);
    fs.mkdirSync(paths.journal, { recursive: true });
    store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
    repository = new SessionRepository(store);
  });
  afterEach(async () => {
    await store.close();
    temp.cleanup();
  });

  it('round-trips a session through creating → ready → failed → removed, typed by state at each step', async () => {
    await repository.insert(session('aaaa1'), AT);
    const creating = repository.byId('aaaa1')!;
    assert.deepEqual([creating.state, creating.containerId, creating.git?.branch, creating.limits], ['creating', null, 'corral/aaaa1', DEFAULT_MAXIMA]);
    assert.equal(isRunning(creating), false);

    await repository.setContainer('aaaa1', 'c1');
    await repository.transition(repository.byId('aaaa1')!, { kind: 'ready' }, LATER, { actor: 'alice', kind: 'created', detail: null });
    const ready = repository.byId('aaaa1');
    assert.ok(ready && isRunning(ready));
    assert.equal(containerOf(ready), 'c1');
    assert.deepEqual([ready.updatedAt, ready.lastActiveAt], [LATER, LATER]);

    await repository.transition(ready, { kind: 'failed', reason: 'out of memory' }, LATER, { actor: 'daemon', kind: 'fail', detail: null });
    const failed = repository.byId('aaaa1');
    assert.ok(failed?.state === 'failed');
    assert.equal(failed.reason, 'out of memory');
    assert.equal(toInfo(failed).stateReason, 'out of memory');
    assert.equal(failed.containerId, 'c1', 'a failed session keeps the id of its last container');

    await repository.transition(failed, { kind: 'removed' }, LATER, { actor: 'alice', kind: 'removed', detail: null });
    const removed = repository.byId('aaaa1');
    assert.deepEqual([removed?.state, removed?.containerId, removed && toInfo(removed).stateReason], ['removed', null, null]);

    assert.deepEqual(
      repository.events('aaaa1').map((e) => [e.kind, e.from, e.to, e.actor, e.detail]),
      [
        ['created', null, 'creating', 'alice', '/src/project'],
        ['created', 'creating', 'ready', 'alice', null],
        ['fail', 'ready', 'failed', 'daemon', 'out of memory'],
        ['removed', 'failed', 'removed', 'alice', null],
      ],
    );
  });

  it('leaves removed sessions out of lists and lookups, and keeps their record', async () => {
    await repository.insert(session('bbbb1'), AT);
    await repository.insert(session('bbbb2'), AT);
    await repository.transition(repository.byId('bbbb1')!, { kind: 'removed' }, LATER, { actor: 'alice', kind: 'removed', detail: null });
    assert.deepEqual(
      repository.list('alice').map((s) => s.id),
      ['bbbb2'],
    );
    assert.deepEqual(
      repository.list().map((s) => s.id),
      ['bbbb2'],
    );
    assert.throws(
      () => repository.find('alice', 'bbbb1'),
      (e: unknown) => e instanceof CorralError && e.code === ErrorCode.NotFound,
    );
    assert.equal(repository.find('alice', 'bbbb').id, 'bbbb2', 'a prefix is unique once the removed one is left out');
    assert.equal(repository.byId('bbbb1')?.state, 'removed');
  });

  it('reads rows as older daemons wrote them: removed with no container, stopped with the id of a container it no longer has, and states it does not know', async () => {
    // Statements as the daemon of issue 4 ran them (server/sessions/service.ts before the split).
    await store.write((w) => {
      const insert = `INSERT INTO sessions (id, owner, name, repo, repo_root, base_commit, branch, objects_dir, trusted_dir, workspace, image,
                       container_id, limits, state, state_reason, created_at, updated_at, last_active_at) VALUES (?, 'alice', NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?, 'img', ?, ?, ?, NULL, ?, ?, ?)`;
      w.run(insert, ['old01', '/w/old01', null, JSON.stringify(DEFAULT_MAXIMA), 'removed', AT, AT, AT]);
      w.run(insert, ['old02', '/w/old02', 'c2', JSON.stringify(DEFAULT_MAXIMA), 'stopped', AT, AT, AT]);
      w.run(insert, ['old03', '/w/old03', 'c3', JSON.stringify(DEFAULT_MAXIMA), 'hibernating', AT, AT, AT]);
      w.run(insert, ['old04', '/w/old04', null, JSON.stringify(DEFAULT_MAXIMA), 'ready', AT, AT, AT]);
    });
    const byId = new Map(repository.list('alice').map((s): [string, SessionRecord] => [s.id, s]));
    assert.deepEqual([...byId.keys()], ['old02', 'old03', 'old04']);
    assert.deepEqual([byId.get('old02')?.state, byId.get('old02')?.containerId, byId.get('old02')?.git], ['stopped', null, null], 'stop removed that container');
    const unknown = byId.get('old03');
    assert.ok(unknown?.state === 'failed');
    assert.equal(unknown.reason, 'unknown state hibernating');
    const noContainer = byId.get('old04');
    assert.ok(noContainer?.state === 'failed', 'a running state without a container is never handed commands');
    assert.match(noContainer.reason, /without a container/);
    assert.equal(repository.byId('old01')?.state, 'removed');
  });

  it('hands the oldest matching pooled session to a user in one write, and nothing when none matches', async () => {
    for (const id of ['pool1', 'pool2']) {
      await repository.insert(session(id, '@pool'), AT);
      await repository.setContainer(id, `c-${id}`);
      await repository.transition(repository.byId(id)!, { kind: 'ready' }, AT, { actor: '@pool', kind: 'created', detail: null });
    }
    const pool = { owner: '@pool', root: '/src/project', commit: 'c0ffee', image: 'corral/fake:latest' };
    assert.equal(await repository.claim({ ...pool, commit: 'other' }, { owner: 'bob', name: null, repo: '/src/project' }, LATER), undefined);
    assert.equal(await repository.claim({ ...pool, image: 'other' }, { owner: 'bob', name: null, repo: '/src/project' }, LATER), undefined);
    const claimed = await repository.claim(pool, { owner: 'bob', name: 'mine', repo: '/src/project/sub' }, LATER);
    assert.deepEqual([claimed?.id, claimed?.owner, claimed?.name, claimed?.repo, claimed?.createdAt, claimed?.state], ['pool1', 'bob', 'mine', '/src/project/sub', LATER, 'ready']);
    assert.deepEqual(
      repository.list('@pool').map((s) => s.id),
      ['pool2'],
    );
    assert.deepEqual(repository.events('pool1').at(-1), { at: LATER, actor: 'bob', kind: 'claimed', from: 'ready', to: 'ready', detail: 'from the warm pool' });
  });

  it('purges a session with its events, commands and samples; a second purge changes nothing', async () => {
    await repository.insert(session('cccc1', 'alice', false), AT);
    await store.write((w) => {
      w.run("INSERT INTO commands (session_id, user, command, started_at, duration_ms, exit_code, timed_out, bytes_out) VALUES ('cccc1', 'alice', 'ls', ?, 1, 0, 0, 0)", [AT]);
      w.run("INSERT INTO resource_samples (session_id, at, cpu_percent, memory_bytes, pids) VALUES ('cccc1', ?, 1, 1, 1)", [AT]);
    });
    await repository.purge('cccc1');
    await repository.purge('cccc1');
    assert.equal(repository.byId('cccc1'), undefined);
    const left = store.read((r) =>
      ['session_events', 'commands', 'resource_samples'].map((t) => r.get<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE session_id = 'cccc1'`)?.n),
    );
    assert.deepEqual(left, [0, 0, 0]);
  });

  it('keeps every write across a reopen (the journal replays the same rows)', async () => {
    await repository.insert(session('dddd1'), AT);
    await repository.setContainer('dddd1', 'c9');
    await repository.transition(repository.byId('dddd1')!, { kind: 'ready' }, LATER, { actor: 'alice', kind: 'created', detail: null });
    await store.close();
    const paths = homePaths(temp.home);
    store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
    repository = new SessionRepository(store);
    const again = repository.find('alice', 'dddd1');
    assert.ok(isRunning(again));
    assert.deepEqual([again.containerId, again.updatedAt, repository.events('dddd1').length], ['c9', LATER, 2]);
    assert.equal(path.basename(again.workspace), 'dddd1');
  });
});
