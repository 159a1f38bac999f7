import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { AuthGrant, AuthIssue, AuthRevoke, ErrorCode, ImageBuild, SessionRemove, SessionStart, TasksChanged, TasksList, TasksShow, TasksUpdate } from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { imageCache } from '../support/jail';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';

const BOARD = ['# Board', '', '## In progress', '', '## Todo', '', '- [ ] T-1 first', '- [ ] T-2 second', '- [ ] T-3 third', '', '## Done', ''].join('\n');

/** The board through the daemon: versions, edits made again on changed content, conflicts, watching, no lost update. */
describe('task board over RPC: concurrency', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let dir: string;
  let board: string;

  before(async () => {
    home = tempHome('tasks');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache });
    client = await connect(home.home);
  });
  after(async () => {
    client.dispose();
    await daemon.terminate();
    home.cleanup();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-board-'));
    board = path.join(dir, 'TASKS.md');
    fs.writeFileSync(board, BOARD);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes an edit again on content someone changed meanwhile, keeping their change', async () => {
    const { version } = await client.rpc.sendRequest(TasksList, { board });
    // A person edits the file in their editor: a new task on top, another task ticked.
    fs.writeFileSync(board, BOARD.replace('- [ ] T-1 first', '- [ ] T-0 zeroth\n- [ ] T-1 first').replace('- [ ] T-3 third', '- [x] T-3 third'));
    const result = await client.rpc.sendRequest(TasksUpdate, { board, version, id: 'T-2', action: 'start' });
    assert.equal(result.reapplied, true);
    assert.equal(result.task!.status, 'in_progress');
    const text = fs.readFileSync(board, 'utf8');
    assert.match(text, /- \[ \] T-0 zeroth/);
    assert.match(text, /## In progress\n\n- \[~\] T-2 second @\S+\n/);
    assert.match(text, /- \[x\] T-3 third/);
  });

  it('refuses with a conflict when the task is gone from the changed board, and changes nothing', async () => {
    const { version } = await client.rpc.sendRequest(TasksList, { board });
    const theirs = BOARD.replace('- [ ] T-2 second\n', '');
    fs.writeFileSync(board, theirs);
    const error = await client.rpc.sendRequest(TasksUpdate, { board, version, id: 'T-2', action: 'done' }).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, ErrorCode.Conflict);
    assert.match(error.message, /changed since you read it, and task T-2 is no longer on it/);
    assert.equal(fs.readFileSync(board, 'utf8'), theirs);
  });

  it('loses no update when two clients edit different tasks at once', async () => {
    const other = await connect(home.home);
    try {
      const notes = Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? client : other).rpc.sendRequest(TasksUpdate, { board, id: `T-${(i % 3) + 1}`, action: 'note', text: `note ${i}` }),
      );
      await Promise.all(notes);
      const text = fs.readFileSync(board, 'utf8');
      for (let i = 0; i < 12; i++) assert.match(text, new RegExp(`: note ${i}\\n`));
      const shown = await client.rpc.sendRequest(TasksShow, { board, id: 'T-1' });
      assert.equal(shown.source.split('\n').filter((l) => l.startsWith('  - ')).length, 4);
    } finally {
      other.dispose();
    }
  });

  it('tells clients that looked at a board when it changes on disk', async () => {
    await client.rpc.sendRequest(TasksList, { board });
    const changed = new Promise<{ board: string; version: string }>((resolve) =>
      client.rpc.onNotification(TasksChanged, (n) => {
        if (n.board === board) resolve(n);
      }),
    );
    fs.writeFileSync(board, BOARD.replace('T-3 third', 'T-3 third, renamed'));
    const notice = await changed;
    assert.equal(notice.board, board);
    assert.equal(notice.version, (await client.rpc.sendRequest(TasksList, { board })).version);
  });

  it("lets another user touch only boards in their sessions' repositories", async () => {
    const { token } = await client.rpc.sendRequest(AuthIssue, { user: 'bob' });
    const bob = await connectDaemon({ socketPath: homePaths(home.home).socket, token, client: { kind: 'test' } });
    try {
      const refused = await bob.rpc.sendRequest(TasksList, { board }).then(
        () => assert.fail("bob read the owner's board"),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof ResponseError);
      assert.equal(refused.code, ErrorCode.Forbidden);
      await assert.rejects(bob.rpc.sendRequest(TasksUpdate, { board, id: 'T-1', action: 'done' }), /not in a folder the daemon's owner granted/);
      assert.equal(fs.readFileSync(board, 'utf8'), BOARD, 'nothing changed');
      // Granted the folder, he may start a session on it; the board in his session's repository stays his to use.
      const { tag } = await client.rpc.sendRequest(ImageBuild, { base: 'tiny' });
      await assert.rejects(bob.rpc.sendRequest(SessionStart, { repo: dir, image: tag }), /grant/);
      await client.rpc.sendRequest(AuthGrant, { user: 'bob', dirs: [dir] });
      const session = await bob.rpc.sendRequest(SessionStart, { repo: dir, image: tag });
      await client.rpc.sendRequest(AuthRevoke, { user: 'bob' });
      assert.equal((await bob.rpc.sendRequest(TasksList, { board })).tasks.length, 3);
      await bob.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
    } finally {
      bob.dispose();
    }
  });

  it('reads a board that is not UTF-8 but refuses to edit it, saying why', async () => {
    fs.writeFileSync(board, Buffer.concat([Buffer.from('- [ ] T-1 caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const list = await client.rpc.sendRequest(TasksList, { board });
    assert.equal(list.tasks.length, 1);
    assert.match(list.warnings[0]!, /not valid UTF-8/);
    await assert.rejects(client.rpc.sendRequest(TasksUpdate, { board, id: 'T-1', action: 'done' }), /not valid UTF-8/);
  });
});
