import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import {
  AgentRun,
  AuthGrant,
  AuthIssue,
  AuthList,
  AuthRevoke,
  DaemonStatusRequest,
  ErrorCode,
  SessionApply,
  SessionList,
  SessionRemove,
  SessionStart,
  ShellExec,
  TasksChanged,
  TasksInit,
  TasksList,
  TasksShow,
  TasksUpdate,
} from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, TINY } from '../support/jail';

const BOARD = '# Board\n\n## Todo\n\n- [ ] T-1 first\n- [ ] T-2 second\n';

/** Every file and link under `dir` with its bytes (or link text): what a refusal must leave alone. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (at: string): void => {
    for (const name of fs.readdirSync(at).sort()) {
      const full = path.join(at, name);
      const stat = fs.lstatSync(full);
      hash.update(`${path.relative(dir, full)}:${stat.mode}:`);
      if (stat.isSymbolicLink()) hash.update(`-> ${fs.readlinkSync(full)}`);
      else if (stat.isDirectory()) walk(full);
      else hash.update(fs.readFileSync(full));
      hash.update('\n');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

async function forbidden(call: Promise<unknown>, what: string): Promise<string> {
  const error = await call.then(
    () => assert.fail(`${what}: was allowed`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ResponseError, `${what}: ${String(error)}`);
  assert.equal(error.code, ErrorCode.Forbidden, `${what}: ${error.message}`);
  assert.ok((error.data as { hint?: string } | undefined)?.hint, `${what}: a hint`);
  return error.message;
}

/**
 * One policy against a real daemon with three identities: the daemon's owner, bob (granted one
 * folder) and carol (granted another). Every refusal is Forbidden and changes no byte.
 */
describe('authorization: grants, real paths, other users, the owner', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let owner: DaemonConnection;
  let bob: DaemonConnection;
  let carol: DaemonConnection;
  let root: string;
  const at = (rel: string): string => `${root}/${rel}`;

  before(async () => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cr-authz-')));
    for (const dir of ['bobs/docs', 'secret', 'carols', 'repo/sub', 'ownerhome/projects']) fs.mkdirSync(at(dir), { recursive: true });
    home = tempHome('authz');
    // The daemon's owner's home is a fixture too, so that a broken check copies nothing real.
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, HOME: at('ownerhome') });
    owner = await connect(home.home);
    const socketPath = homePaths(home.home).socket;
    const as = async (user: string): Promise<DaemonConnection> =>
      connectDaemon({ socketPath, token: (await owner.rpc.sendRequest(AuthIssue, { user })).token, client: { kind: 'test' } });
    bob = await as('bob');
    carol = await as('carol');
    fs.writeFileSync(at('ownerhome/.gitconfig'), '[user]\n  name = owner\n');
    fs.writeFileSync(at('bobs/docs/TASKS.md'), BOARD);
    fs.writeFileSync(at('secret/TASKS.md'), BOARD);
    fs.writeFileSync(at('secret/key.txt'), 'the owner only\n');
    fs.writeFileSync(at('carols/TASKS.md'), BOARD);
    fs.writeFileSync(at('repo/sub/a.txt'), 'a\n');
    const git = (...args: string[]): string => execFileSync('git', ['-C', at('repo'), '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'one');
    fs.symlinkSync(at('secret'), at('bobs/link'));
    fs.symlinkSync(at('secret/TASKS.md'), at('bobs/docs/LINKED.md'));
    await owner.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('bobs'), at('repo/sub')] });
    await owner.rpc.sendRequest(AuthGrant, { user: 'carol', dirs: [at('carols')] });
  });
  after(async () => {
    // Containers outlive a daemon: whatever a test (or a broken check) started goes here.
    for (const session of bob ? await bob.rpc.sendRequest(SessionList, {}).catch(() => []) : []) {
      await bob.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }).catch(() => undefined);
    }
    bob?.dispose();
    carol?.dispose();
    owner?.dispose();
    await daemon?.terminate();
    home?.cleanup();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists grants by real path; only the owner grants, revokes or lists', async () => {
    const listed = await owner.rpc.sendRequest(AuthList, {});
    assert.equal(listed.daemonOwner, os.userInfo().username);
    assert.deepEqual(
      listed.grants.map((g) => `${g.user} ${g.dir}`),
      [`bob ${at('bobs')}`, `bob ${at('repo/sub')}`, `carol ${at('carols')}`],
    );
    await forbidden(bob.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('secret')] }), 'bob grants himself');
    await forbidden(bob.rpc.sendRequest(AuthRevoke, { user: 'carol' }), 'bob revokes carol');
    await forbidden(bob.rpc.sendRequest(AuthList, {}), 'bob lists grants');
    // A grant of a link is a grant of its target as it is now.
    await owner.rpc.sendRequest(AuthGrant, { user: 'carol', dirs: [at('bobs/link')] });
    assert.ok((await owner.rpc.sendRequest(AuthList, {})).grants.some((g) => g.user === 'carol' && g.dir === at('secret')));
    assert.deepEqual((await owner.rpc.sendRequest(AuthRevoke, { user: 'carol', dirs: [at('secret')] })).revoked, [at('secret')]);
  });

  it('lets bob use the board and folder granted to him', async () => {
    assert.equal((await bob.rpc.sendRequest(TasksList, { board: at('bobs/docs/TASKS.md') })).tasks.length, 2);
    await bob.rpc.sendRequest(TasksUpdate, { board: at('bobs/docs/TASKS.md'), id: 'T-1', action: 'start' });
    assert.match(fs.readFileSync(at('bobs/docs/TASKS.md'), 'utf8'), /T-1 first.*@bob/);
    fs.writeFileSync(at('bobs/docs/TASKS.md'), BOARD);
  });

  it('refuses `..`, links and a linked board out of the granted folder, changing nothing', async () => {
    const before = fingerprint(root);
    const ways = {
      dotdot: at('bobs/../secret/TASKS.md'),
      dotdotDeep: at('bobs/docs/../../secret/TASKS.md'),
      link: at('bobs/link/TASKS.md'),
      linkedBoard: at('bobs/docs/LINKED.md'),
    };
    for (const [way, board] of Object.entries(ways)) {
      await forbidden(bob.rpc.sendRequest(TasksList, { board }), `list ${way}`);
      await forbidden(bob.rpc.sendRequest(TasksShow, { board, id: 'T-1' }), `show ${way}`);
      const message = await forbidden(bob.rpc.sendRequest(TasksUpdate, { board, id: 'T-1', action: 'done' }), `update ${way}`);
      assert.match(message, /bob may not use the board/);
      if (!board.includes('secret')) assert.doesNotMatch(message, /secret/, 'a refusal names the path as given, not where a link leads');
    }
    await forbidden(bob.rpc.sendRequest(TasksInit, { board: at('bobs/link/NEW.md') }), 'init through a link');
    // An agent run asks the same policy for its task's board before it starts anything.
    await forbidden(bob.rpc.sendRequest(AgentRun, { task: 'T-1', board: ways.link, repo: at('bobs') }), 'an agent run on a board through a link');
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: at('bobs/../secret'), image: TINY }), 'session over ..');
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: at('bobs/link'), image: TINY }), 'session over a link');
    assert.equal(fingerprint(root), before, 'no byte changed');
    assert.equal(fs.existsSync(at('secret/NEW.md')), false);
    assert.deepEqual(await bob.rpc.sendRequest(SessionList, {}), []);
  });

  it("refuses another user's board and folder, and a repository reaching above the grant", async () => {
    const before = fingerprint(root);
    await forbidden(bob.rpc.sendRequest(TasksList, { board: at('carols/TASKS.md') }), "carol's board");
    await forbidden(bob.rpc.sendRequest(TasksUpdate, { board: at('carols/TASKS.md'), id: 'T-1', action: 'done' }), "carol's board, edited");
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: at('carols'), image: TINY }), "carol's folder");
    await forbidden(carol.rpc.sendRequest(TasksList, { board: at('bobs/docs/TASKS.md') }), "bob's board, by carol");
    // Granted repo/sub, but git finds the repository at repo/: the session would hold all of it.
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: at('repo/sub'), image: TINY }), 'a repository above the grant');
    assert.equal(fingerprint(root), before, 'no byte changed');
    assert.deepEqual(await bob.rpc.sendRequest(SessionList, {}), []);
  });

  it("refuses the owner's home and Corral's own state; the owner keeps everything", async () => {
    const before = fingerprint(root);
    const ownerHome = at('ownerhome');
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: ownerHome, image: TINY }), "the owner's home");
    await forbidden(bob.rpc.sendRequest(SessionStart, { repo: `${ownerHome}/projects/..`, image: TINY }), "the owner's home, by ..");
    await forbidden(bob.rpc.sendRequest(TasksInit, { board: `${ownerHome}/projects/TASKS.md` }), "a board in the owner's home");
    await forbidden(bob.rpc.sendRequest(TasksList, { board: path.join(home.home, 'x.md') }), "Corral's own state");
    assert.equal(fingerprint(root), before, 'no byte changed');
    assert.deepEqual(await bob.rpc.sendRequest(SessionList, {}), []);
    assert.equal((await owner.rpc.sendRequest(TasksList, { board: at('secret/TASKS.md') })).tasks.length, 2);
    assert.equal((await owner.rpc.sendRequest(TasksList, { board: at('bobs/docs/LINKED.md') })).tasks.length, 2, 'the owner follows links');
  });

  it('starts a session over a granted folder; its repository stays usable after a revoke, others not', async () => {
    const image = await ensureImage(owner, 'tiny');
    const session = await bob.rpc.sendRequest(SessionStart, { repo: at('bobs'), image });
    try {
      assert.equal(session.repo, at('bobs'));
      await owner.rpc.sendRequest(AuthRevoke, { user: 'bob', dirs: [at('bobs')] });
      assert.equal((await bob.rpc.sendRequest(TasksList, { board: at('bobs/docs/TASKS.md') })).tasks.length, 2, 'his session is on it');
      await forbidden(bob.rpc.sendRequest(SessionStart, { repo: at('bobs'), image }), 'a new session after the revoke');
    } finally {
      await bob.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
      await owner.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('bobs')] });
    }
  });

  it("refuses to apply a session's changes into a folder revoked since, changing nothing", async () => {
    const image = await ensureImage(owner, 'tiny');
    await owner.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('repo')] });
    const session = await bob.rpc.sendRequest(SessionStart, { repo: at('repo'), image });
    try {
      await bob.rpc.sendRequest(ShellExec, { session: session.id, command: 'echo changed > sub/a.txt' });
      await owner.rpc.sendRequest(AuthRevoke, { user: 'bob', dirs: [at('repo')] });
      const before = fingerprint(root);
      await forbidden(bob.rpc.sendRequest(SessionApply, { session: session.id, mode: 'patch' }), 'apply after the revoke');
      assert.equal(fingerprint(root), before, 'no byte changed');
      await owner.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('repo')] });
      assert.equal((await bob.rpc.sendRequest(SessionApply, { session: session.id, mode: 'patch' })).files, 1);
      assert.equal(fs.readFileSync(at('repo/sub/a.txt'), 'utf8'), 'changed\n');
    } finally {
      await bob.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
      await owner.rpc.sendRequest(AuthRevoke, { user: 'bob', dirs: [at('repo')] }).catch(() => undefined);
    }
  });

  it('stops telling a revoked user about a board he watched', async () => {
    const board = at('bobs/docs/TASKS.md');
    const bobHeard: string[] = [];
    bob.rpc.onNotification(TasksChanged, (n) => void bobHeard.push(n.version));
    const ownerHears = (): Promise<string> =>
      new Promise((resolve) => {
        const listener = owner.rpc.onNotification(TasksChanged, (n) => {
          if (n.board !== board) return;
          listener.dispose();
          resolve(n.version);
        });
      });
    await bob.rpc.sendRequest(TasksList, { board });
    await owner.rpc.sendRequest(TasksList, { board });
    let heard = ownerHears();
    fs.writeFileSync(board, BOARD.replace('second', 'second, edited'));
    const first = await heard;
    await bob.rpc.sendRequest(DaemonStatusRequest, {});
    assert.deepEqual(bobHeard, [first], 'bob, granted, hears of the change');
    await owner.rpc.sendRequest(AuthRevoke, { user: 'bob' });
    try {
      heard = ownerHears();
      fs.writeFileSync(board, BOARD.replace('second', 'second, edited again'));
      await heard;
      // Announcements to bob would have gone out in the same turn, before this reply.
      await bob.rpc.sendRequest(DaemonStatusRequest, {});
      assert.deepEqual(bobHeard, [first], 'bob, revoked, hears nothing more');
    } finally {
      await owner.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [at('bobs'), at('repo/sub')] });
    }
  });
});
