import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBoard, type Board } from '../../server/tasks/board';
import { markdownParser } from '../../server/tasks/markdown';
import { readyQueue, nothingReady } from '../../server/tasks/queue';
import { allBoards, corpusDir } from '../support/boards';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);
const deps = (board: Board): Record<string, string[]> => Object.fromEntries(board.tasks.filter((t) => t.dependsOn.length > 0).map((t) => [t.id, t.dependsOn]));

describe("task board: dependencies in the board's notation", () => {
  it('reads "after", "depends", "blocked by", "needs", "requires" in a title, with lists of ids', () => {
    const board = read(
      [
        '## Todo',
        '',
        '- [ ] T-1 Parser',
        '- [ ] T-2 Printer after T-1',
        '- [ ] T-3 Report (depends: T-1, T-2)',
        '- [ ] T-4 Release, blocked by T-3',
        '- [ ] T-5 Docs — needs T-2 and T-4',
        '- [ ] T-6 Site requires `T-5`',
        '- [ ] T-7 Fix the crash after COVID-19 data loads',
        '- [ ] T-8 Migrate, depends on t-1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(deps(board), { 'T-2': ['T-1'], 'T-3': ['T-1', 'T-2'], 'T-4': ['T-3'], 'T-5': ['T-2', 'T-4'], 'T-6': ['T-5'], 'T-8': ['T-1'] });
    assert.deepEqual(board.warnings, []);
  });

  it("reads a `- depends: …` field under a list task, and leaves its subtasks' fields to them", () => {
    const board = read(
      [
        '- [ ] T-1 Parser',
        '- [ ] T-2 Printer',
        '  - depends: T-1',
        '  - [ ] T-3 Colours',
        '    - blocked by: T-9',
        '  - **Blocked by:** T-1',
        '- [ ] T-4 Notes are not fields',
        '  - 2026-11-24 14:05 alice: blocked: waiting for T-2',
        '  - Requires: Node 20.15',
        '',
      ].join('\n'),
    );
    assert.deepEqual(deps(board), { 'T-2': ['T-1'], 'T-3': ['T-9'] });
    assert.deepEqual(board.warnings, ['T-3 (line 4) depends on T-9, which is not on the board; it counts as not done until it is']);
  });

  it('reads a heading task\'s Depends field (and "none"), a Depends column, and `blocked-by:t001,t002`', () => {
    const headings = read(
      [
        '## A-001: Server',
        '- **Status:** todo',
        '- **Depends:** none',
        '',
        '## A-002: Endpoints',
        '- **Status:** todo',
        '- **Depends:** A-001',
        '- Pass criteria:',
        '  - [ ] GET works',
        '',
        '### Notes',
        'Depends: A-009 is prose here',
        '',
      ].join('\n'),
    );
    assert.deepEqual(deps(headings), { 'A-002': ['A-001'] });
    const table = read(
      ['| ID | Task | Status | Depends on |', '|---|---|---|---|', '| T-1 | Parser | todo | |', '| T-2 | Printer | todo | T-1 |', '| T-3 | Report | todo | T-1, T-2 |', ''].join(
        '\n',
      ),
    );
    assert.deepEqual(deps(table), { 'T-2': ['T-1'], 'T-3': ['T-1', 'T-2'] });
    assert.deepEqual(
      table.tasks.map((t) => t.title),
      ['Parser', 'Printer', 'Report'],
      'the Depends column is not taken for the title',
    );
    const toon = read(['- [ ] t001 Base ~30m', '- [ ] t002 Dependent task blocked-by:t001 ~15m', '- [ ] t003 Both blocked-by:t001,t002', ''].join('\n'));
    assert.deepEqual(deps(toon), { t002: ['t001'], t003: ['t001', 't002'] });
  });

  it('takes `#12` as a task only on a board whose ids are `#n` (else it is an issue)', () => {
    assert.deepEqual(deps(read('- [ ] #11 Login\n- [ ] #12 Logout, needs #11\n')), { '#12': ['#11'] });
    assert.deepEqual(deps(read('- [ ] T-1 Login\n- [ ] T-2 Logout, needs #11\n')), {});
  });

  it('warns once per cycle, naming its ids, and once per task depending on itself', () => {
    const board = read(
      [
        '- [ ] T-1 a after T-3',
        '- [ ] T-2 b after T-1',
        '- [ ] T-3 c after T-2',
        '- [ ] T-4 d after T-5',
        '- [ ] T-5 e after T-4',
        '- [ ] T-6 f after T-6',
        '- [ ] T-7 g after T-1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(board.warnings, [
      'dependency cycle: T-1 → T-3 → T-2 → T-1; none of them can become ready until one of these dependencies is removed',
      'dependency cycle: T-4 → T-5 → T-4; none of them can become ready until one of these dependencies is removed',
      'T-6 depends on itself; it cannot become ready until that dependency is removed',
    ]);
  });

  it('reports many unknown ids in one warning with a count; a chain of 5,000 does not overflow the stack', () => {
    const unknown = read(Array.from({ length: 50 }, (_, i) => `- [ ] T-${i} task after T-${i + 1000}`).join('\n'));
    assert.equal(unknown.warnings.length, 1);
    assert.match(unknown.warnings[0]!, /^50 dependencies name ids that are not on the board \(T-0 \(line 1\) depends on T-1000, /);
    const chain = read(Array.from({ length: 5_000 }, (_, i) => `- [ ] T-${i} step${i > 0 ? ` after T-${i - 1}` : ' after T-4999'}`).join('\n'));
    assert.equal(chain.warnings.length, 1);
    assert.match(chain.warnings[0]!, /^dependency cycle: T-0 → T-4999 → T-4998 → /);
  });

  it('on the corpus board that writes them (16-0xClawAI): 72 dependencies of 37 tasks, as a person counts the Depends fields', function () {
    const file = path.join(corpusDir, '16-0xClawAI-command-center-TASKS.md');
    if (!fs.existsSync(file)) this.skip();
    const board = read(fs.readFileSync(file, 'utf8'));
    const withDeps = board.tasks.filter((t) => t.dependsOn.length > 0);
    assert.equal(withDeps.length, 37);
    assert.equal(
      withDeps.reduce((n, t) => n + t.dependsOn.length, 0),
      72,
    );
    assert.deepEqual(board.tasks.find((t) => t.id === 'A-007')?.dependsOn, ['A-004', 'A-006']);
    assert.deepEqual(board.tasks.find((t) => t.id === 'A-001')?.dependsOn, []);
    assert.deepEqual(board.warnings, []);
  });

  it('finds no dependency on the other boards (none writes one outside code and prose), and every dependency named is on its board', () => {
    for (const { name, text } of allBoards()) {
      const board = read(text);
      const found = board.tasks.filter((t) => t.dependsOn.length > 0).length;
      if (!name.includes('16-0xClawAI')) assert.equal(found, 0, name);
      assert.ok(!board.warnings.some((w) => /depends|dependenc/.test(w)), `${name}: ${board.warnings.join('; ')}`);
    }
  });
});

describe('task board: the ready queue', () => {
  const BOARD = [
    '## In progress',
    '- [ ] T-1 Parser @ana',
    '## Todo',
    '- [ ] T-2 Printer after T-1',
    '- [ ] T-3 Colours @bob',
    '- [ ] T-4 Docs @alice',
    '- [ ] T-5 Site after T-9',
    '- [ ] T-6 Logo',
    '  - [ ] T-7 Sketch',
    '- [ ] T-8 Tests after T-0',
    '## Done',
    '- [x] T-0 Setup',
    '',
  ].join('\n');

  it("is todo, top-level, every dependency done, unassigned or the caller's, in board order", () => {
    const queue = readyQueue(read(BOARD), 'alice');
    assert.deepEqual(
      queue.ready.map((t) => t.id),
      ['T-4', 'T-6', 'T-8'],
    );
    assert.deepEqual(queue.waiting, [
      { id: 'T-2', on: ['T-1'], takenBy: [] },
      { id: 'T-3', on: [], takenBy: ['bob'] },
      { id: 'T-5', on: ['T-9'], takenBy: [] },
    ]);
    assert.deepEqual(
      readyQueue(read(BOARD), 'Bob').ready.map((t) => t.id),
      ['T-3', 'T-6', 'T-8'],
      'assignees match case aside',
    );
  });

  it('says why nothing is ready', () => {
    const queue = readyQueue(read('- [ ] T-1 a after T-2\n- [ ] T-2 b @bob\n'), 'alice');
    assert.deepEqual(queue.ready, []);
    assert.equal(nothingReady(queue), 'none of the 2 todo tasks is ready: 1 waits on unfinished dependencies (T-1 on T-2); 1 is assigned to others (T-2 to @bob)');
    assert.equal(nothingReady(readyQueue(read('- [x] T-1 a\n'), 'alice')), 'no task is todo');
  });
});
