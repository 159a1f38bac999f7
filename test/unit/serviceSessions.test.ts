import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ErrorCode,
  SessionApply,
  SessionDiff,
  SessionList,
  SessionPause,
  SessionRemove,
  SessionResume,
  SessionShow,
  SessionStart,
  SessionStop,
  ShellExec,
  type SessionInfo,
} from '../../server/protocol';
import { historyRepo } from '../support/gitrepo';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const IMAGE = 'corral/fake:latest';
const isSession = (id: string, state: string) => (params: unknown) => (params as SessionInfo).id === id && (params as SessionInfo).state === state;

/**
 * Sessions through the real RPC edge and SessionService, over a fake jail and a fake clock: the
 * lifecycle, its event rows and its announcements. Isolation, limits and real processes are the
 * Docker-backed tests' (test/integration/lifecycle.test.ts, security.test.ts).
 */
describe('service: sessions (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;
  let other: HarnessClient;

  before(async () => {
    h = await startHarness({
      script: (command, { workspace }) => {
        if (command === 'edit') fs.writeFileSync(path.join(workspace, 'src', 'app.js'), 'console.log("v2");\n');
        // Runs until killed (the fake jail ends it when the daemon kills its CORRAL_CMD marker).
        if (command === 'hang') return new Promise(() => undefined);
        return command === 'pwd' ? { stdout: '/workspace\n' } : command === 'fail' ? { stderr: 'boom\n', exitCode: 3 } : { stdout: `ran ${command}\n` };
      },
    });
    owner = await h.connect();
    other = await h.connect('mallory');
  });
  after(async () => h?.close());

  it('start → exec → pause → resume → stop → remove: each a transition at the clock’s time, by its actor, announced to the owner', async () => {
    const t0 = h.clock.now().toISOString();
    const started = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    assert.equal(started.state, 'ready');
    assert.ok(started.containerId);
    assert.equal(h.jail.stateOf(started.containerId), 'running');
    await owner.next('session/changed', isSession(started.id, 'ready'));

    const ok = await owner.rpc.sendRequest(ShellExec, { session: started.id, command: 'pwd' });
    assert.deepEqual([ok.exitCode, ok.stdout, ok.stderr], [0, '/workspace\n', '']);
    const failed = await owner.rpc.sendRequest(ShellExec, { session: started.id, command: 'fail' });
    assert.deepEqual([failed.exitCode, failed.stdout, failed.stderr], [3, '', 'boom\n']);
    // The busy ⇄ ready flips of both commands are coalesced (the scheduler is the fake clock): none
    // has gone out yet, and one `ready` goes when the 200 ms window ends.
    const changed = (): SessionInfo[] =>
      owner.notifications.filter((n) => n.method === 'session/changed' && (n.params as SessionInfo).id === started.id).map((n) => n.params as SessionInfo);
    const seen = changed().length;
    await owner.rpc.sendRequest(SessionList, {});
    assert.equal(changed().length, seen, 'nothing announced per command');
    h.clock.advance(200);
    await owner.rpc.sendRequest(SessionList, {});
    assert.deepEqual(
      changed()
        .slice(seen)
        .map((s) => s.state),
      ['ready'],
    );

    const t1 = h.clock.advance(60_000).toISOString();
    const paused = await owner.rpc.sendRequest(SessionPause, { session: started.id });
    assert.equal(paused.state, 'paused');
    assert.equal(h.jail.stateOf(started.containerId), 'paused');
    await owner.next('session/changed', isSession(started.id, 'paused'));

    const t2 = h.clock.advance(60_000).toISOString();
    assert.equal((await owner.rpc.sendRequest(SessionResume, { session: started.id })).state, 'ready');
    assert.equal(h.jail.stateOf(started.containerId), 'running');

    const t3 = h.clock.advance(60_000).toISOString();
    assert.equal((await owner.rpc.sendRequest(SessionStop, { session: started.id })).state, 'stopped');
    assert.equal(h.jail.stateOf(started.containerId), undefined, 'stop removes the container');
    await owner.next('session/changed', isSession(started.id, 'stopped'));

    const shown = await owner.rpc.sendRequest(SessionShow, { session: started.id });
    const transitions = shown.events.filter((e) => e.from !== e.to);
    assert.deepEqual(
      transitions.filter((e) => e.kind !== 'command-started' && e.kind !== 'command-finished').map((e) => [e.kind, e.from, e.to, e.at, e.actor]),
      [
        ['created', null, 'creating', t0, h.owner],
        ['created', 'creating', 'ready', t0, h.owner],
        ['pause', 'ready', 'paused', t1, h.owner],
        ['resume', 'paused', 'ready', t2, h.owner],
        ['stop', 'ready', 'stopped', t3, h.owner],
      ],
    );
    assert.equal(shown.summary.commands, 2);

    const removed = await owner.rpc.sendRequest(SessionRemove, { session: started.id });
    assert.equal(removed.removed, started.id);
    await owner.next('session/changed', isSession(started.id, 'removed'));
    assert.deepEqual(
      (await owner.rpc.sendRequest(SessionList, {})).map((s) => s.id),
      [],
      'a removed session is not listed',
    );
    assert.equal(h.store.read((r) => r.get<{ state: string }>('SELECT state FROM sessions WHERE id = ?', [started.id]))?.state, 'removed', 'its record stays without --purge');

    // The other user's connection got none of it: a reply is sent after every notification that
    // was broadcast to that connection before, so after this round trip nothing is still on its way.
    assert.deepEqual(await other.rpc.sendRequest(SessionList, {}), []);
    assert.deepEqual(
      other.notifications.filter((n) => n.method === 'session/changed'),
      [],
    );
  });

  it('another user neither sees nor touches a session, and is told so as if it did not exist', async () => {
    const mine = await other.rpc.sendRequest(SessionStart, { image: IMAGE });
    await other.next('session/changed', isSession(mine.id, 'ready'));
    await assert.rejects(owner.rpc.sendRequest(SessionPause, { session: mine.id }), (error: { code: number }) => error.code === ErrorCode.NotFound);
    await assert.rejects(owner.rpc.sendRequest(ShellExec, { session: mine.id, command: 'pwd' }), (error: { code: number }) => error.code === ErrorCode.NotFound);
    assert.equal((await other.rpc.sendRequest(SessionShow, { session: mine.id })).session.state, 'ready', 'unchanged by the refused calls');
    assert.ok(!(await owner.rpc.sendRequest(SessionList, {})).some((s) => s.id === mine.id));
    assert.ok(!owner.notifications.some((n) => (n.params as SessionInfo).id === mine.id), 'the owner was not told of another user’s session');
  });

  it('a transition the lifecycle does not allow is refused with a hint, and the session stays as it was', async () => {
    const s = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    await owner.rpc.sendRequest(SessionStop, { session: s.id });
    const calls = h.jail.calls.length;
    await assert.rejects(owner.rpc.sendRequest(SessionResume, { session: s.id }), (error: { code: number; message: string; data?: { hint?: string } }) => {
      assert.equal(error.code, ErrorCode.Conflict);
      assert.match(error.message, /cannot resume a session that is stopped/);
      assert.ok(error.data?.hint);
      return true;
    });
    assert.equal(h.jail.calls.length, calls, 'the engine was not asked');
    assert.equal((await owner.rpc.sendRequest(SessionShow, { session: s.id })).session.state, 'stopped');
  });

  it('a command in a paused session resumes it first, as the idle pause promises', async () => {
    const s = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    await owner.rpc.sendRequest(SessionPause, { session: s.id });
    const result = await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'pwd' });
    assert.equal(result.stdout, '/workspace\n');
    const shown = await owner.rpc.sendRequest(SessionShow, { session: s.id });
    assert.ok(shown.events.some((e) => e.kind === 'resume' && e.actor === 'idle'));
    assert.equal(h.jail.stateOf(s.containerId!), 'running');
  });

  it('a session over a git repository: a private checkout, its diff, and apply as a commit — the repository untouched until then', async () => {
    const repo = historyRepo();
    try {
      const head = repo.git('rev-parse', 'HEAD').trim();
      const s = await owner.rpc.sendRequest(SessionStart, { repo: repo.dir, image: IMAGE });
      assert.deepEqual([s.repoRoot, s.baseCommit, s.branch], [repo.dir, head, `corral/${s.id}`]);
      await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'edit' });
      assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("v1");\n', 'the user’s checkout is untouched');
      const diff = await owner.rpc.sendRequest(SessionDiff, { session: s.id, patch: true });
      assert.deepEqual(
        diff.files.map((f) => [f.path, f.status]),
        [['src/app.js', 'M']],
      );
      assert.match(diff.patch ?? '', /-console.log\("v1"\);\n\+console.log\("v2"\);/);
      const applied = await owner.rpc.sendRequest(SessionApply, { session: s.id, mode: 'commit' });
      assert.equal(applied.files, 1);
      assert.equal(repo.git('rev-parse', 'HEAD').trim(), applied.commit);
      assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("v2");\n');
      await owner.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
    } finally {
      repo.cleanup();
    }
  });

  it('a command past its timeout is killed by its marker and reported (124), and the shell goes on', async () => {
    const s = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    const result = await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'hang', timeoutMs: 20 });
    assert.deepEqual([result.exitCode, result.timedOut, result.shellRestarted], [124, true, false]);
    assert.ok(
      h.jail.calls.some((c) => /^kill CMD=\d+ /.test(c)),
      'the daemon killed the command by its marker',
    );
    assert.equal((await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'pwd' })).stdout, '/workspace\n');
  });
});
