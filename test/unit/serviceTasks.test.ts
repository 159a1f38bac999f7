import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, TasksList, TasksUpdate } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const BOARD = `# Board

## Todo

- [ ] T-1 Write the parser
- [ ] T-2 Print the report

## Done

- [x] T-0 Set up
`;

/**
 * The task board through the real RPC edge, policy and TasksService on a real file: versions,
 * surgical edits, an edit decided on an older version made again, watching, and another user
 * refused. Board parsing in depth is test/unit/board*.test.ts's.
 */
describe('service: tasks (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;
  let dir: string;
  let board: string;

  before(async () => {
    h = await startHarness();
    owner = await h.connect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-board-'));
    board = path.join(dir, 'TASKS.md');
    fs.writeFileSync(board, BOARD);
  });
  after(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('lists the tasks with the version of the bytes; an update changes only its line and answers the new version', async () => {
    const listed = await owner.rpc.sendRequest(TasksList, { board });
    assert.deepEqual(
      listed.tasks.map((t) => [t.id, t.status]),
      [
        ['T-1', 'todo'],
        ['T-2', 'todo'],
        ['T-0', 'done'],
      ],
    );
    assert.ok(listed.version.length > 0);
    assert.deepEqual(
      (await owner.rpc.sendRequest(TasksList, { board, status: 'done' })).tasks.map((t) => t.id),
      ['T-0'],
    );

    const done = await owner.rpc.sendRequest(TasksUpdate, { board, version: listed.version, id: 'T-1', action: 'done' });
    assert.equal(done.task?.status, 'done');
    assert.equal(done.reapplied, false);
    assert.notEqual(done.version, listed.version);
    const after = fs.readFileSync(board, 'utf8');
    // Ticked and moved to the end of the Done lane; every other byte as it was.
    assert.equal(after, BOARD.replace('- [ ] T-1 Write the parser\n', '') + '- [x] T-1 Write the parser\n');
    assert.equal((await owner.rpc.sendRequest(TasksList, { board })).version, done.version);
    assert.equal(done.version, sha(after).slice(0, 16), 'the version is (the start of) the SHA-256 of the bytes');
  });

  it('an update decided on an older version is made again on the current bytes, keeping the change made meanwhile', async () => {
    const before = await owner.rpc.sendRequest(TasksList, { board });
    // A person edits the board meanwhile: a new task at the end of Todo.
    fs.writeFileSync(board, fs.readFileSync(board, 'utf8').replace('- [ ] T-2 Print the report\n', '- [ ] T-2 Print the report\n- [ ] T-3 Ship it\n'));
    const result = await owner.rpc.sendRequest(TasksUpdate, { board, version: before.version, id: 'T-2', action: 'note', text: 'half done' });
    assert.equal(result.reapplied, true);
    const text = fs.readFileSync(board, 'utf8');
    assert.match(text, /- \[ \] T-3 Ship it/, 'the person’s edit is kept');
    assert.match(text, /T-2 Print the report\n\s+- .*half done/, 'the note is under T-2');
  });

  it('tells a client that listed the board when its file changes on disk', async () => {
    const listed = await owner.rpc.sendRequest(TasksList, { board });
    fs.appendFileSync(board, '- [ ] T-9 Late addition\n');
    // Waits for the notice of these bytes: a late notice of an earlier test's write must not count.
    const expected = sha(fs.readFileSync(board, 'utf8')).slice(0, 16);
    assert.notEqual(expected, listed.version);
    const changed = (await owner.next('tasks/changed', (p) => (p as { version: string }).version === expected)) as { board: string; version: string };
    assert.equal(changed.board, board);
    assert.equal(changed.version, (await owner.rpc.sendRequest(TasksList, { board })).version);
  });

  it('another user without a grant is refused the board, and it is not written', async () => {
    const mallory = await h.connect('mallory');
    const bytes = fs.readFileSync(board);
    await assert.rejects(mallory.rpc.sendRequest(TasksList, { board }), (error: { code: number }) => error.code === ErrorCode.Forbidden);
    await assert.rejects(mallory.rpc.sendRequest(TasksUpdate, { board, id: 'T-2', action: 'done' }), (error: { code: number }) => error.code === ErrorCode.Forbidden);
    assert.deepEqual(fs.readFileSync(board), bytes);
  });
});
