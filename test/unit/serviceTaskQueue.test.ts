import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { ErrorCode, TasksList } from '../../server/protocol';
import { TasksClaimNext, TasksClaimNextResult, TasksNext, TasksNextResult } from '../../server/protocol/taskQueue';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const BOARD = `# Board

## In progress

- [ ] T-1 Parser @someone

## Todo

- [ ] T-2 Printer after T-1
- [ ] T-3 Colours
- [ ] T-4 Docs, needs T-0
- [ ] T-5 Site @someone

## Done

- [x] T-0 Setup
`;

/**
 * The ready queue through the real RPC edge and TasksService on a real file: `tasks/next` reads,
 * `tasks/claimNext` picks and claims in one step under the board's lock, so clients asking at
 * once get different tasks.
 */
describe('service: the ready queue (tasks/next, tasks/claimNext)', () => {
  let h: Harness;
  let a: HarnessClient;
  let b: HarnessClient;
  let dir: string;
  let board: string;

  before(async () => {
    h = await startHarness();
    a = await h.connect();
    b = await h.connect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-queue-'));
    board = path.join(dir, 'TASKS.md');
  });
  after(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => fs.writeFileSync(board, BOARD));

  it('tasks/next answers the first ready task in board order, with dependsOn, and writes nothing', async () => {
    const next = TasksNextResult.parse(await a.rpc.sendRequest(TasksNext, { board }));
    assert.equal(next.task?.id, 'T-3');
    assert.equal(next.moreReady, 1, 'T-4 too (T-0 is done)');
    assert.deepEqual(next.waiting, [
      { id: 'T-2', on: ['T-1'], takenBy: [] },
      { id: 'T-5', on: [], takenBy: ['someone'] },
    ]);
    assert.equal(fs.readFileSync(board, 'utf8'), BOARD);
    const listed = await a.rpc.sendRequest(TasksList, { board });
    assert.deepEqual(listed.tasks.find((t) => t.id === 'T-4')?.dependsOn, ['T-0']);
  });

  it('two clients claiming at once get different tasks; a third gets none, with the reason, and the board unchanged by it', async () => {
    const [first, second] = await Promise.all([a.rpc.sendRequest(TasksClaimNext, { board }), b.rpc.sendRequest(TasksClaimNext, { board })]);
    const claimed = [TasksClaimNextResult.parse(first).task?.id, TasksClaimNextResult.parse(second).task?.id].sort();
    assert.deepEqual(claimed, ['T-3', 'T-4']);
    for (const result of [first, second]) {
      assert.equal(result.task?.status, 'in_progress');
      assert.deepEqual(result.task?.assignees, [h.owner]);
    }
    const text = fs.readFileSync(board, 'utf8');
    const third = await a.rpc.sendRequest(TasksClaimNext, { board });
    assert.equal(third.task, null);
    assert.match(third.reason ?? '', /none of the 2 todo tasks is ready: 1 waits on unfinished dependencies \(T-2 on T-1\); 1 is assigned to others \(T-5 to @someone\)/);
    assert.equal(fs.readFileSync(board, 'utf8'), text);
    // The version answered is the file's after that claim: the later claim's is the file's now.
    assert.ok([first.version, second.version].includes((await a.rpc.sendRequest(TasksList, { board })).version));
  });

  it('a task becomes ready when its dependency is done', async () => {
    fs.writeFileSync(board, BOARD.replace('- [ ] T-1 Parser @someone', '- [x] T-1 Parser @someone').replace('- [ ] T-3 Colours\n', '').replace('- [ ] T-4 Docs, needs T-0\n', ''));
    assert.equal((await a.rpc.sendRequest(TasksNext, { board })).task?.id, 'T-2');
  });

  it('a board the caller may not use is refused (as tasks/update is)', async () => {
    const mallory = await h.connect('mallory');
    await assert.rejects(mallory.rpc.sendRequest(TasksClaimNext, { board }), (error: { code: number }) => error.code === ErrorCode.Forbidden);
    assert.equal(fs.readFileSync(board, 'utf8'), BOARD);
  });

  it('property: k clients claiming at once on a random board with dependencies get distinct tasks, exactly the ones ready, min(k, ready) of them', async function () {
    this.timeout(60_000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ done: fc.boolean(), mine: fc.boolean(), deps: fc.array(fc.nat(11), { maxLength: 2 }) }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        async (tasks, k) => {
          const lines = tasks.map(
            (t, i) => `- [${t.done ? 'x' : ' '}] T-${i} task ${i}${t.mine ? ` @${h.owner}` : ''}${t.deps.length ? ` after ${t.deps.map((d) => `T-${d}`).join(', ')}` : ''}`,
          );
          fs.writeFileSync(board, `## Tasks\n\n${lines.join('\n')}\n`);
          const known = (d: number): boolean => d < tasks.length;
          const ready = tasks.flatMap((t, i) => (!t.done && t.deps.every((d) => known(d) && tasks[d]!.done) ? [`T-${i}`] : []));
          const clients = [a, b];
          const results = await Promise.all(Array.from({ length: k }, (_, i) => clients[i % 2]!.rpc.sendRequest(TasksClaimNext, { board })));
          const got = results.flatMap((r) => (r.task ? [r.task.id] : []));
          assert.equal(new Set(got).size, got.length, `distinct: ${got.join(' ')}`);
          assert.equal(got.length, Math.min(k, ready.length));
          assert.deepEqual(
            [...got].sort(),
            [...got].sort().filter((id) => ready.includes(id)),
          );
          assert.deepEqual(
            got.map((id) => ready.indexOf(id)).sort((x, y) => x - y),
            Array.from({ length: got.length }, (_, i) => i),
            'the first ones in board order',
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
