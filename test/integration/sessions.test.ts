import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import {
  AuthIssue,
  ErrorCode,
  SessionApply,
  SessionChanged,
  SessionDiff,
  SessionList,
  SessionMetrics,
  SessionPause,
  SessionRemove,
  SessionResume,
  SessionShow,
  SessionStart,
  SessionStop,
  type SessionInfo,
} from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { historyRepo } from '../support/gitrepo';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache, sh } from '../support/jail';

async function refused(promise: Promise<unknown>, code: number): Promise<ResponseError<{ hint: string }>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResponseError, String(error));
    assert.equal(error.code, code, error.message);
    return error as ResponseError<{ hint: string }>;
  }
  assert.fail('was not refused');
}

describe('sessions: private git workspaces, diff and apply, lifecycle, isolation', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let repo: ReturnType<typeof historyRepo>;
  let session: SessionInfo;
  const changes: SessionInfo[] = [];
  const changed: (() => void)[] = [];
  /** Resolves once this client has been told (session/changed) that session `id` is `state`. */
  const announced = async (id: string, state: string): Promise<void> => {
    while (!changes.some((c) => c.id === id && c.state === state)) await new Promise<void>((resolve) => changed.push(resolve));
  };

  before(async () => {
    home = tempHome('sess');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_IDLE_PAUSE_S: '0' });
    client = await connect(home.home);
    client.rpc.onNotification(SessionChanged, (info) => {
      changes.push(info);
      for (const wake of changed.splice(0)) wake();
    });
    await ensureImage(client, 'debian');
    repo = historyRepo();
    session = await client.rpc.sendRequest(SessionStart, { repo: path.join(repo.dir, 'src'), image: DEBIAN });
  });
  after(async () => {
    for (const s of await client.rpc.sendRequest(SessionList, {})) await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true }).catch(() => undefined);
    client.dispose();
    await daemon.terminate();
    repo.cleanup();
    home.cleanup();
  });

  it('checks out HEAD on its own branch, from any folder inside the repo, with git working in the jail', async () => {
    assert.equal(session.repoRoot, repo.dir);
    assert.equal(session.baseCommit, repo.git('rev-parse', 'HEAD').trim());
    assert.equal(session.branch, `corral/${session.id}`);
    const result = await sh(client, session.id, 'git status --short --branch && git log --oneline | wc -l && cat README.md');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^## corral/${session.id}\\n2\\n# project\\nmore\\n$`));
  });

  it('lets the agent commit, edit, rename, add and delete inside the jail; diff shows all of it', async () => {
    const work = await sh(
      client,
      session.id,
      [
        "sed -i 's/v1/v2/' src/app.js",
        'git mv src/old-name.js src/new-name.js',
        'git commit -qam "agent: v2 and rename"',
        "printf '\\001\\002\\003' > logo.bin",
        'echo "new file" > notes.txt',
        'git rm -q README.md',
        'mkdir -p node_modules/x && echo ignored > node_modules/x/index.js',
      ].join(' && '),
    );
    assert.equal(work.exitCode, 0, work.stderr);
    const diff = await client.rpc.sendRequest(SessionDiff, { session: session.id, patch: true });
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    assert.equal(byPath['src/app.js']?.status, 'M');
    assert.equal(byPath['src/new-name.js']?.status, 'R');
    assert.equal(byPath['src/new-name.js']?.from, 'src/old-name.js');
    assert.equal(byPath['logo.bin']?.binary, true);
    assert.equal(byPath['notes.txt']?.status, 'A');
    assert.equal(byPath['README.md']?.status, 'D');
    assert.equal(byPath['node_modules/x/index.js'], undefined, 'ignored files stay out');
    assert.match(diff.patch ?? '', /GIT binary patch/);
    assert.match(diff.stat, /5 files changed/);
  });

  it('never lets the jail write the user repository: objects are read-only, refs and config unreachable', async () => {
    const before = repo.git('for-each-ref').trim() + repo.git('count-objects', '-v');
    const result = await sh(client, session.id, 'touch /corral/objects/evil 2>&1; ls /corral/objects/info; git -C / rev-parse 2>&1; mount | grep -c corral; echo done');
    assert.match(result.stdout, /Read-only file system/);
    const after = repo.git('for-each-ref').trim() + repo.git('count-objects', '-v');
    assert.equal(after, before);
    assert.equal(repo.git('status', '--porcelain'), '', 'the user checkout is untouched');
  });

  it('never runs what the session planted in its .git (hooks, fsmonitor, filters) on the host', async () => {
    const marker = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-plant-'));
    const plant = (name: string): string => `touch ${marker}/${name}`;
    const result = await sh(
      client,
      session.id,
      [
        'mkdir -p .git/hooks',
        ...['pre-commit', 'post-checkout', 'post-merge', 'pre-push', 'post-applypatch', 'reference-transaction', 'fsmonitor-watchman'].map(
          (hook) => `printf '#!/bin/sh\\n${plant(hook)}\\n' > .git/hooks/${hook} && chmod +x .git/hooks/${hook}`,
        ),
        `git config core.fsmonitor '${plant('fsmonitor')}; echo'`,
        `git config core.hooksPath /workspace/.git/hooks`,
        `git config filter.evil.clean '${plant('filter-clean')}; cat'`,
        `git config filter.evil.smudge '${plant('filter-smudge')}; cat'`,
        `git config diff.evil.textconv '${plant('textconv')}; cat'`,
        `git config core.pager '${plant('pager')}; cat'`,
        "printf '* filter=evil diff=evil\\n' > .gitattributes",
      ].join(' && '),
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const diff = await client.rpc.sendRequest(SessionDiff, { session: session.id, patch: true });
    assert.ok(diff.files.some((f) => f.path === '.gitattributes'));
    assert.deepEqual(fs.readdirSync(marker), [], 'nothing planted ran on the host');
    fs.rmSync(marker, { recursive: true, force: true });
  });

  it('refuses to apply onto conflicting uncommitted work, changing nothing', async () => {
    fs.writeFileSync(path.join(repo.dir, 'src', 'app.js'), 'console.log("mine");\n');
    const statusBefore = repo.git('status', '--porcelain');
    const error = await refused(client.rpc.sendRequest(SessionApply, { session: session.id, mode: 'patch' }), ErrorCode.Conflict);
    assert.match(error.message, /do not apply to your working tree/);
    assert.match(error.data!.hint, /nothing was changed/);
    assert.equal(repo.git('status', '--porcelain'), statusBefore);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("mine");\n');
    repo.git('checkout', '--', 'src/app.js');
  });

  it('applies as a commit on the current branch, byte for byte, including binary files and renames', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    const result = await client.rpc.sendRequest(SessionApply, { session: session.id, mode: 'commit' });
    assert.ok(result.commit);
    assert.equal(repo.git('rev-parse', 'HEAD^').trim(), head);
    assert.match(repo.git('log', '-1', '--format=%s'), new RegExp(`corral: session ${session.id}`));
    assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("v2");\n');
    assert.deepEqual([...fs.readFileSync(path.join(repo.dir, 'logo.bin'))], [1, 2, 3]);
    assert.ok(fs.existsSync(path.join(repo.dir, 'src', 'new-name.js')));
    assert.equal(fs.existsSync(path.join(repo.dir, 'README.md')), false);
    assert.equal(repo.git('status', '--porcelain'), '', 'clean after the commit');
    assert.equal(fs.readdirSync(path.join(repo.dir, '.git', 'hooks')).filter((f) => !f.endsWith('.sample')).length, 0, 'no hook arrived in the user repo');
  });

  it('applies as working-tree changes with --patch', async () => {
    const second = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: DEBIAN });
    await sh(client, second.id, 'echo patched >> src/app.js');
    const result = await client.rpc.sendRequest(SessionApply, { session: second.id, mode: 'patch' });
    assert.equal(result.files, 1);
    assert.equal(result.commit, undefined);
    assert.match(repo.git('status', '--porcelain'), /^ M src\/app.js$/m);
    repo.git('checkout', '--', '.');
    await client.rpc.sendRequest(SessionRemove, { session: second.id, purge: true });
  });

  it('carries uncommitted and untracked files only when asked', async () => {
    fs.writeFileSync(path.join(repo.dir, 'draft.txt'), 'untracked draft\n');
    fs.appendFileSync(path.join(repo.dir, 'src', 'app.js'), '// local edit\n');
    const plain = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: DEBIAN });
    const carried = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: DEBIAN, withChanges: true });
    assert.equal((await sh(client, plain.id, 'ls draft.txt 2>&1; grep -c "local edit" src/app.js')).stdout, "ls: cannot access 'draft.txt': No such file or directory\n0\n");
    assert.equal((await sh(client, carried.id, 'cat draft.txt; grep -c "local edit" src/app.js')).stdout, 'untracked draft\n1\n');
    for (const s of [plain, carried]) await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
    repo.git('checkout', '--', '.');
    fs.rmSync(path.join(repo.dir, 'draft.txt'));
  });

  it('pauses, resumes on the next command, stops keeping the record and diff, and announces each change', async () => {
    changes.length = 0;
    const paused = await client.rpc.sendRequest(SessionPause, { session: session.id });
    assert.equal(paused.state, 'paused');
    await refused(client.rpc.sendRequest(SessionPause, { session: session.id }), ErrorCode.Conflict);
    assert.equal((await sh(client, session.id, 'echo awake')).stdout, 'awake\n', 'a command resumes a paused session');
    await client.rpc.sendRequest(SessionPause, { session: session.id });
    assert.equal((await client.rpc.sendRequest(SessionResume, { session: session.id })).state, 'ready');
    const stopped = await client.rpc.sendRequest(SessionStop, { session: session.id });
    assert.equal(stopped.state, 'stopped');
    await refused(sh(client, session.id, 'true'), ErrorCode.Conflict);
    const diff = await client.rpc.sendRequest(SessionDiff, { session: session.id });
    assert.ok(diff.files.length > 0, 'diff works after stop');
    const shown = await client.rpc.sendRequest(SessionShow, { session: session.id });
    const moves = shown.events.filter((e) => e.from && e.to).map((e) => `${e.from}>${e.to}`);
    assert.ok(moves.includes('creating>ready'));
    assert.ok(moves.includes('ready>paused'));
    assert.ok(moves.includes('paused>ready'));
    assert.ok(moves.includes('ready>busy') && moves.includes('busy>ready'));
    assert.equal(moves.at(-1), 'ready>stopped');
    // Announced in order on this connection: once `stopped` is here, `paused` came before it.
    await announced(session.id, 'stopped');
    assert.ok(changes.some((c) => c.id === session.id && c.state === 'paused'));
  });

  it('summarises commands with latency and error rate, and keeps secrets out of the record', async () => {
    const s = await client.rpc.sendRequest(SessionStart, { image: DEBIAN });
    await sh(client, s.id, 'true');
    await sh(client, s.id, 'false');
    await sh(client, s.id, 'export API_KEY=sk-abcdefghijklmnop; echo ok');
    await sh(client, s.id, 'curl -H "Authorization: Bearer abc.def.ghi" x 2>/dev/null; true');
    // A command's row is written (in memory, journaled without waiting) before its reply goes out.
    const shown = await client.rpc.sendRequest(SessionShow, { session: s.id });
    assert.equal(shown.summary.commands, 4);
    assert.equal(shown.summary.errorRate, 0.25);
    assert.ok(shown.summary.p50Ms !== null && shown.summary.p95Ms !== null && shown.summary.p95Ms >= shown.summary.p50Ms);
    const raw = await client.rpc.sendRequest(SessionMetrics, { session: s.id });
    assert.deepEqual(
      raw.commands.map((c) => c.exitCode),
      [0, 1, 0, 0],
    );
    const stored = raw.commands.map((c) => c.command).join('\n');
    assert.doesNotMatch(stored, /sk-abcdefghijklmnop|abc\.def\.ghi/);
    assert.match(stored, /API_KEY=\*\*\*/);
    await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
  });

  it('keeps users apart: another identity sees and touches none of your sessions', async () => {
    const mine = await client.rpc.sendRequest(SessionStart, { image: DEBIAN });
    const { token } = await client.rpc.sendRequest(AuthIssue, { user: 'bob' });
    const bob = await connectDaemon({ socketPath: homePaths(home.home).socket, token, client: { kind: 'test' } });
    const bobSaw: SessionInfo[] = [];
    bob.rpc.onNotification(SessionChanged, (info) => {
      bobSaw.push(info);
    });
    try {
      assert.deepEqual(bob.hello.identity, { user: 'bob', role: 'user' });
      assert.deepEqual(await bob.rpc.sendRequest(SessionList, {}), []);
      for (const attempt of [
        bob.rpc.sendRequest(SessionShow, { session: mine.id }),
        sh(bob, mine.id, 'true'),
        bob.rpc.sendRequest(SessionStop, { session: mine.id }),
        bob.rpc.sendRequest(SessionRemove, { session: mine.id }),
        bob.rpc.sendRequest(SessionDiff, { session: session.id }),
      ]) {
        await refused(attempt, ErrorCode.NotFound);
      }
      await refused(bob.rpc.sendRequest(AuthIssue, { user: 'mallory' }), ErrorCode.Forbidden);
      const bobs = await bob.rpc.sendRequest(SessionStart, { image: DEBIAN });
      assert.equal(bobs.owner, 'bob');
      assert.deepEqual(
        (await client.rpc.sendRequest(SessionList, {})).filter((s) => s.id === bobs.id),
        [],
      );
      // busy → ready is announced once, ANNOUNCE_MS (200 ms) after the command: wait for the
      // owner's copy, then a round trip on bob's connection, whose reply follows anything
      // broadcast to bob before it. (A fixed 100 ms wait looked before that announcement went out.)
      changes.length = 0;
      await sh(client, mine.id, 'true');
      await announced(mine.id, 'ready');
      await bob.rpc.sendRequest(SessionList, {});
      assert.deepEqual(
        bobSaw.filter((s) => s.owner !== 'bob'),
        [],
        'bob is told only of his own sessions',
      );
      await bob.rpc.sendRequest(SessionRemove, { session: bobs.id, purge: true });
    } finally {
      bob.dispose();
      await client.rpc.sendRequest(SessionRemove, { session: mine.id, purge: true });
    }
  });
});
