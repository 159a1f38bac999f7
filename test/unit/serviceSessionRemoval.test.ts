import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { memoryLogger } from '../../server/log';
import { ErrorCode } from '../../server/protocol';
import { Announcer } from '../../server/sessions/announcer';
import { reconcile } from '../../server/sessions/reconcile';
import { FAKE_IMAGE, openSessionService, type SessionServiceFixture } from '../support/sessionService';

const notFound = (error: unknown): boolean => error instanceof CorralError && error.code === ErrorCode.NotFound;

/**
 * `removed` as a lifecycle state, reconciliation around removed records (also as older daemons
 * left them), and writes that fail: logged, never dropped unseen. A SessionService over the fake
 * jail and a real sql.js store; no Docker.
 */
describe('service: session removal, reconciliation and failed writes (no Docker)', () => {
  let f: SessionServiceFixture;
  const owner = 'alice';

  beforeEach(async () => (f = await openSessionService()));
  afterEach(async () => f.close());

  it('remove is a transition: container and workspace go, the record stays as removed with its event, announced once', async () => {
    const s = await f.sessions.start(owner, { image: FAKE_IMAGE });
    await f.sessions.exec(owner, s.id, 'true', {});
    f.clock.advance(60_000);
    assert.equal(f.announced.at(-1)?.session.state, 'ready', 'the command’s busy ⇄ ready, coalesced');
    f.announced.length = 0;
    assert.equal(await f.sessions.remove(owner, s.id, false), s.id);
    assert.equal(f.jail.stateOf(s.containerId!), undefined);
    assert.ok(!fs.existsSync(s.workspace));
    assert.deepEqual(
      f.announced.map((a) => [a.owner, a.session.id, a.session.state, a.session.containerId]),
      [[owner, s.id, 'removed', null]],
    );
    const record = f.sessions.repository.byId(s.id);
    assert.deepEqual([record?.state, record?.containerId, record?.updatedAt], ['removed', null, f.clock.now().toISOString()]);
    const last = f.store.read((r) =>
      r.get<{ kind: string; from_state: string; to_state: string; actor: string }>(
        'SELECT kind, from_state, to_state, actor FROM session_events WHERE session_id = ? ORDER BY id DESC LIMIT 1',
        [s.id],
      ),
    );
    assert.deepEqual(last, { kind: 'removed', from_state: 'ready', to_state: 'removed', actor: owner });
    assert.deepEqual(f.sessions.list(owner), []);
    // A removed session is gone for every call: nothing more happens to it.
    await assert.rejects(f.sessions.remove(owner, s.id, false), notFound);
    await assert.rejects(f.sessions.stop(owner, s.id), notFound);
    await assert.rejects(f.sessions.exec(owner, s.id, 'true', {}), notFound);
  });

  it('removes a stopped, a paused and a lost session alike; purge leaves no row', async () => {
    const stopped = await f.sessions.start(owner, { image: FAKE_IMAGE });
    const afterStop = await f.sessions.stop(owner, stopped.id);
    assert.deepEqual(
      [afterStop.state, afterStop.containerId, f.jail.stateOf(stopped.containerId!)],
      ['stopped', null, undefined],
      'the record names no container once stop removed it',
    );
    const paused = await f.sessions.start(owner, { image: FAKE_IMAGE });
    await f.sessions.pause(owner, paused.id);
    const lost = await f.sessions.start(owner, { image: FAKE_IMAGE });
    await f.sessions.move(owner, lost.id, { type: 'lose', reason: 'its container is gone' }, 'reconcile');
    for (const s of [stopped, paused, lost]) await f.sessions.remove(owner, s.id, false);
    assert.deepEqual(
      [stopped, paused, lost].map((s) => f.sessions.repository.byId(s.id)?.state),
      ['removed', 'removed', 'removed'],
    );
    const purged = await f.sessions.start(owner, { image: FAKE_IMAGE });
    await f.sessions.remove(owner, purged.id, true);
    assert.equal(f.sessions.repository.byId(purged.id), undefined);
    assert.equal(f.store.read((r) => r.get<{ n: number }>('SELECT count(*) AS n FROM session_events WHERE session_id = ?', [purged.id]))?.n, 0);
    assert.equal(f.announced.at(-1)?.session.state, 'removed', 'a purge is announced as a removal');
  });

  it('reconciliation: a removed record is neither adopted nor lost; a container left behind by it is an orphan and goes', async () => {
    const kept = await f.sessions.start(owner, { image: FAKE_IMAGE });
    const leftover = await f.sessions.start(owner, { image: FAKE_IMAGE });
    // As an older daemon could leave it: the record removed, its container still running.
    await f.store.write((w) => w.run("UPDATE sessions SET state = 'removed', container_id = NULL WHERE id = ?", [leftover.id]));
    const report = await reconcile(f.sessions, f.jail, { home: f.home, worktrees: f.worktrees, trusted: f.trusted }, memoryLogger(), true);
    assert.deepEqual(report.adopted, [kept.id]);
    assert.deepEqual([report.lost, report.failed, report.recovered], [[], [], []]);
    assert.deepEqual(report.orphanContainers, [leftover.containerId]);
    assert.deepEqual(report.orphanWorkspaces, [path.join(f.worktrees, leftover.id)]);
    assert.equal(f.jail.stateOf(leftover.containerId!), undefined);
    assert.equal(f.sessions.repository.byId(leftover.id)?.state, 'removed', 'the record is left as it was');
    assert.equal(f.jail.stateOf(kept.containerId!), 'running');
  });

  it('a command row that cannot be written is logged, and the session still turns ready again', async () => {
    const s = await f.sessions.start(owner, { image: FAKE_IMAGE });
    // A real failure of the write that carries the command's row with the busy → ready flip.
    await f.store.write((w) => w.run('DROP TABLE commands'));
    const result = await f.sessions.exec(owner, s.id, 'echo hi', {});
    assert.equal(result.stdout, 'hi\n');
    const logged = f.logger.lines.filter((l) => l.level === 'error' && l.msg === 'could not record a command');
    assert.equal(logged.length, 1, JSON.stringify(f.logger.lines));
    assert.equal(logged[0]?.fields?.session, s.id);
    assert.match(String(logged[0]?.fields?.error), /commands/);
    assert.equal(f.sessions.repository.find(owner, s.id).state, 'ready', 'the flip was written on its own');
    await f.sessions.pause(owner, s.id);
  });

  it('announces busy ⇄ ready flips once per window, with the state at its end; nothing after close', () => {
    const due: (() => void)[] = [];
    const announced: string[] = [];
    let state = 'busy';
    const logger = memoryLogger();
    const announcer = new Announcer({
      announce: (_owner, session) => announced.push(session.state),
      current: (_owner, id) => {
        if (id === 'gone') throw new Error('store closed');
        return { state } as never;
      },
      logger,
      after: (_ms, task) => {
        due.push(task);
        return { cancel: () => due.splice(due.indexOf(task), 1) };
      },
    });
    announcer.soon('alice', 's1');
    state = 'ready';
    announcer.soon('alice', 's1');
    assert.equal(due.length, 1, 'one timer per session and window');
    due.shift()!();
    assert.deepEqual(announced, ['ready']);
    announcer.soon('alice', 'gone');
    due.shift()!();
    assert.equal(logger.lines.filter((l) => l.msg === 'could not announce a session').length, 1, 'a failed read is logged, not thrown into a timer');
    announcer.soon('alice', 's1');
    announcer.close();
    assert.equal(due.length, 0, 'close cancels what was still to come');
  });
});
