import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Authorizer } from '../../server/auth/authorizer';
import { checkFolderIdentity, HeldDirectory, readNoFollow } from '../../server/auth/heldDirectory';
import { authorize, METHOD_RULES, type PolicyFacts } from '../../server/auth/policy';
import { resolveReal } from '../../server/auth/realPath';
import { CorralError } from '../../server/errors';
import { Router, type CallContext } from '../../server/rpc/router';
import { CancellationToken } from 'vscode-jsonrpc';
import * as z from 'zod/mini';
import * as protocol from '../../server/protocol';
import { CorralRequest, ErrorCode, type Identity } from '../../server/protocol';

const owner: Identity = { user: 'alice', role: 'owner' };
const bob: Identity = { user: 'bob', role: 'user' };

function forbidden(work: () => unknown, message?: RegExp): CorralError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof CorralError, String(error));
    assert.equal(error.code, ErrorCode.Forbidden, error.message);
    if (message) assert.match(error.message, message);
    assert.ok(error.hint.length > 0);
    return error;
  }
  assert.fail('was not refused');
}

describe('authorization policy: one table, real paths, held folders', () => {
  let root: string;
  let facts: PolicyFacts & { granted: Map<string, string[]>; repos: Map<string, string[]> };

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'corral-policy-')));
    for (const dir of ['granted/repo/docs', 'elsewhere', 'home/.corral', 'carols']) fs.mkdirSync(path.join(root, dir), { recursive: true });
    fs.writeFileSync(path.join(root, 'elsewhere', 'TASKS.md'), '- [ ] T-1 secret\n');
    fs.writeFileSync(path.join(root, 'granted/repo/docs', 'TASKS.md'), '- [ ] T-1 ok\n');
    const granted = new Map([['bob', [path.join(root, 'granted')]]]);
    const repos = new Map([['carol', [path.join(root, 'carols')]]]);
    facts = { daemonOwner: 'alice', corralHome: path.join(root, 'home/.corral'), grantsOf: (u) => granted.get(u) ?? [], sessionReposOf: (u) => repos.get(u) ?? [], granted, repos };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('has a row for every method declared in server/protocol, and refuses a method without one', () => {
    const requests = Object.values(protocol as Record<string, unknown>).filter((value) => value instanceof CorralRequest);
    const declared = requests.map((r) => r.method);
    assert.ok(declared.length >= 30, `found ${declared.length} declarations`);
    assert.deepEqual(
      declared.filter((method) => METHOD_RULES[method] === undefined),
      [],
      'methods without a policy row',
    );
    forbidden(() => authorize(owner, 'call', { kind: 'method', method: 'debug/eval' }, facts), /no authorization rule/);
  });

  it('lets the owner call owner-only methods, and nobody else', () => {
    authorize(owner, 'call', { kind: 'method', method: 'auth/grant' }, facts);
    forbidden(() => authorize(bob, 'call', { kind: 'method', method: 'auth/grant' }, facts), /owner only/);
    // A token's role is not enough: the name must be the daemon's owner too.
    forbidden(() => authorize({ user: 'mallory', role: 'owner' }, 'call', { kind: 'method', method: 'daemon/shutdown' }, facts));
    authorize(bob, 'call', { kind: 'method', method: 'tasks/list' }, facts);
  });

  it('asks the policy at the edge before any handler runs', async () => {
    const authorizer = new Authorizer(facts);
    let ran = 0;
    const undeclared = new CorralRequest('test/undeclared', z.optional(z.strictObject({})), z.number());
    const router = new Router((identity, method) => authorizer.call(identity, method))
      .on(protocol.AuthList, () => {
        ran++;
        return { daemonOwner: 'alice', grants: [] };
      })
      .on(undeclared, () => ran++);
    const as = (identity: Identity): CallContext => ({ identity, connectionId: 't', token: CancellationToken.None, notify: () => false });
    await router.find('auth/list')!.handler({}, as(owner));
    assert.equal(ran, 1);
    await assert.rejects(
      async () => router.find('auth/list')!.handler({}, as(bob)),
      (e: unknown) => e instanceof CorralError && e.code === ErrorCode.Forbidden,
    );
    await assert.rejects(async () => router.find('test/undeclared')!.handler({}, as(owner)), /no authorization rule/);
    assert.equal(ran, 1, 'no refused handler ran');
  });

  it('decides on the real path: `..` and links out of a granted folder are refused', () => {
    const authorizer = new Authorizer(facts);
    authorizer.board(bob, 'board.write', path.join(root, 'granted/repo/docs/TASKS.md'));
    forbidden(() => authorizer.board(bob, 'board.read', `${root}/granted/repo/../../elsewhere/TASKS.md`));
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'granted/repo/link'));
    forbidden(() => authorizer.board(bob, 'board.read', path.join(root, 'granted/repo/link/TASKS.md')));
    // (Template strings, not path.join: it would drop the `..` by string rules.)
    // The textbook trap: `link/..` is the parent of the link's target, not `granted/repo`.
    fs.mkdirSync(path.join(root, 'elsewhere/deep'));
    fs.symlinkSync(path.join(root, 'elsewhere/deep'), path.join(root, 'granted/repo/deep'));
    forbidden(() => authorizer.board(bob, 'board.read', `${root}/granted/repo/deep/../TASKS.md`));
    assert.equal(resolveReal(`${root}/granted/repo/deep/../TASKS.md`).real, path.join(root, 'elsewhere/TASKS.md'));
    forbidden(() => authorizer.folder(bob, path.join(root, 'granted/repo/link')));
    // A link that stays inside is fine, and is decided on its target.
    fs.symlinkSync(path.join(root, 'granted/repo/docs'), path.join(root, 'granted/inside'));
    assert.equal(authorizer.board(bob, 'board.read', path.join(root, 'granted/inside/TASKS.md')).real, path.join(root, 'granted/repo/docs/TASKS.md'));
  });

  it("refuses another user's folder and board, the owner's Corral home, and a prefix that is not a parent", () => {
    const authorizer = new Authorizer(facts);
    forbidden(() => authorizer.folder(bob, path.join(root, 'carols')));
    forbidden(() => authorizer.board(bob, 'board.read', path.join(root, 'carols/TASKS.md')));
    authorizer.board({ user: 'carol', role: 'user' }, 'board.read', path.join(root, 'carols/TASKS.md'));
    forbidden(() => authorizer.folder({ user: 'carol', role: 'user' }, path.join(root, 'carols')), /granted/);
    facts.granted.set('bob', [path.join(root, 'home')]);
    forbidden(() => authorizer.board(bob, 'board.read', path.join(root, 'home/.corral/x.md')), /Corral's own state/);
    // Also when the daemon was told its home through a link.
    fs.symlinkSync(path.join(root, 'home'), path.join(root, 'home-link'));
    const linked = new Authorizer({ ...facts, corralHome: path.join(root, 'home-link/.corral') });
    forbidden(() => linked.board(bob, 'board.read', path.join(root, 'home/.corral/x.md')), /Corral's own state/);
    fs.mkdirSync(path.join(root, 'granted-not'));
    facts.granted.set('bob', [path.join(root, 'granted')]);
    forbidden(() => authorizer.folder(bob, path.join(root, 'granted-not')));
    // The owner keeps everything.
    authorizer.folder(owner, path.join(root, 'carols'));
    authorizer.board(owner, 'board.write', path.join(root, 'elsewhere/TASKS.md'));
  });

  it('says nothing about whether a refused path exists', () => {
    const authorizer = new Authorizer(facts);
    forbidden(() => authorizer.folder(bob, path.join(root, 'elsewhere/nope')));
    assert.throws(
      () => authorizer.folder(bob, path.join(root, 'granted/nope')),
      (e: unknown) => e instanceof CorralError && e.code === ErrorCode.NotFound,
    );
  });

  it('refuses a folder swapped for a link after the check, instead of following it', () => {
    const dir = path.join(root, 'granted/repo/docs');
    const checked = new Authorizer(facts).board(bob, 'board.write', path.join(dir, 'TASKS.md'));
    const identity = checkFolderIdentity(checked.dir);
    fs.renameSync(dir, path.join(root, 'granted/repo/docs-old'));
    fs.symlinkSync(path.join(root, 'elsewhere'), dir);
    forbidden(() => HeldDirectory.open(identity), /changed after it was checked/);
  });

  it('refuses a folder higher up swapped for a link after the check', () => {
    const checked = checkFolderIdentity(path.join(root, 'granted/repo/docs'));
    fs.renameSync(path.join(root, 'granted/repo'), path.join(root, 'granted/repo-old'));
    fs.mkdirSync(path.join(root, 'elsewhere/docs'));
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'granted/repo'));
    forbidden(() => HeldDirectory.open(checked), /changed after it was checked/);
  });

  it('works through the held folder even if its path is swapped while held', () => {
    const dir = path.join(root, 'granted/repo/docs');
    const held = HeldDirectory.open(checkFolderIdentity(dir));
    try {
      fs.renameSync(dir, path.join(root, 'granted/repo/docs-old'));
      fs.symlinkSync(path.join(root, 'elsewhere'), dir);
      assert.equal(readNoFollow(held.child('TASKS.md')).toString(), '- [ ] T-1 ok\n');
      assert.equal(held.stillThere(), false);
    } finally {
      held.close();
    }
  });

  it('does not follow a board that is itself a link', () => {
    const dir = path.join(root, 'granted/repo/docs');
    fs.rmSync(path.join(dir, 'TASKS.md'));
    fs.symlinkSync(path.join(root, 'elsewhere/TASKS.md'), path.join(dir, 'TASKS.md'));
    const held = HeldDirectory.open(checkFolderIdentity(dir));
    try {
      assert.throws(() => readNoFollow(held.child('TASKS.md')), /ELOOP/);
    } finally {
      held.close();
    }
  });
});
