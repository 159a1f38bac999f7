import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError, type BoardEdit } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);
const edit = (text: string, change: BoardEdit): string => applyEdit(read(text), change);
const summary = (text: string): string[] => read(text).tasks.map((t) => `${t.id} ${t.status}${t.parent ? ` <${t.parent}` : ''}`);

describe('task board: reading', () => {
  it('reads every checkbox mark, bullet style, numbered items and nesting', () => {
    const text = [
      '# Board',
      '',
      '- [ ] T-1 todo',
      '* [x] T-2 done',
      '+ [X] T-3 done too',
      '- [~] T-4 doing',
      '- [/] T-5 half',
      '- [-] T-6 dash',
      '- [!] T-7 stuck',
      '1. [ ] T-8 numbered',
      '   - [x] T-9 sub of 8',
      '     - [ ] T-10 sub of 9',
      '- plain bullet, not a task',
      '',
    ].join('\n');
    assert.deepEqual(summary(text), [
      'T-1 todo',
      'T-2 done',
      'T-3 done',
      'T-4 in_progress',
      'T-5 in_progress',
      'T-6 in_progress',
      'T-7 blocked',
      'T-8 todo',
      'T-9 done <T-8',
      'T-10 todo <T-9',
    ]);
    assert.deepEqual(read(text).tasks.find((t) => t.id === 'T-8')!.children, ['T-9']);
  });

  it('takes the status from lane headings, and struck-through items as done', () => {
    const text = [
      '## Todo',
      '- card one',
      '- [ ] card two',
      '## In Progress (2)',
      '- card three',
      '## Done 2026-11-20',
      '- [ ] card four',
      '## Backlog',
      '- [ ] ~~dropped idea~~',
      '',
    ].join('\n');
    assert.deepEqual(
      read(text).tasks.map((t) => [t.title, t.status, t.statusFrom]),
      [
        ['card one', 'todo', 'heading'],
        ['card two', 'todo', 'checkbox'],
        ['card three', 'in_progress', 'heading'],
        ['card four', 'done', 'checkbox'],
        ['dropped idea', 'done', 'strikethrough'],
      ],
    );
  });

  it('never finds tasks in code, HTML comments or front matter', () => {
    const text = [
      '---',
      'title: x',
      '- [ ] not a task',
      '---',
      '',
      '```',
      '- [ ] not a task',
      '```',
      '',
      '<!--',
      '- [ ] not a task',
      '-->',
      '',
      '    - [ ] indented code',
      '',
      '- [ ] T-1 the only task',
      '',
    ].join('\n');
    assert.deepEqual(summary(text), ['T-1 todo']);
  });

  it('reads explicit ids, assignees and tags, and derives stable ids for the rest', () => {
    const text = [
      '- [ ] T-12 with id @alice #backend',
      '- [ ] TASK-3: colon',
      '- [ ] 1.2.3 dotted',
      '- [ ] #44 issue',
      '- [ ] **0.5** bold id',
      '- [ ] no id here @bob',
      '- [ ] `@notme` in code #real',
      '',
    ].join('\n');
    const board = read(text);
    assert.deepEqual(board.tasks.map((t) => t.id).slice(0, 5), ['T-12', 'TASK-3', '1.2.3', '#44', '0.5']);
    assert.deepEqual(board.tasks[0]!.assignees, ['alice']);
    assert.deepEqual(board.tasks[0]!.tags, ['backend']);
    assert.match(board.tasks[5]!.id, /^h-[0-9a-f]{6}$/);
    assert.deepEqual(board.tasks[6]!.assignees, []);
    assert.deepEqual(board.tasks[6]!.tags, ['real']);
    // Unrelated edits (a line above, another task's status) leave a derived id alone.
    const again = read(`# New title\n\n- [x] T-12 with id @alice #backend\n${text.split('\n').slice(1).join('\n')}`);
    assert.equal(again.tasks.find((t) => t.title.startsWith('no id here'))!.id, board.tasks[5]!.id);
  });

  it('maps the sections a team names its own way (config), e.g. Icebox and Triage', () => {
    const text = '## Icebox\n- idea\n## Triage\n- [ ] T-1 check it\n';
    assert.deepEqual(
      read(text).tasks.map((t) => `${t.title} ${t.status}`),
      ['check it todo'],
    );
    assert.deepEqual(
      readBoard(text, parser, { headingStatus: { Icebox: 'todo', Triage: 'review' } }).tasks.map((t) => t.status),
      ['todo', 'review'],
    );
  });

  it("reads the project's own board: every top-level task has its T-n id, nothing is a duplicate", () => {
    const own = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'TASKS.md'), 'utf8');
    const board = read(own);
    assert.deepEqual(board.warnings, []);
    const top = board.tasks.filter((t) => t.parent === null);
    assert.ok(top.length >= 10);
    for (const task of top) assert.match(task.id, /^T-\d+$/, task.title);
    assert.ok(top.some((t) => t.status === 'done') && top.some((t) => t.status === 'todo'));
  });

  it('warns about duplicate explicit ids, naming both lines', () => {
    assert.deepEqual(read('- [ ] T-1 a\n- [ ] T-2 b\n- [x] T-1 c\n').warnings, ['duplicate id T-1 on lines 1 and 3; the first one is used']);
  });

  it('reads table rows with a status column, and headings with a Status field', () => {
    const text = [
      '| ID | Task | Status |',
      '|----|------|--------|',
      '| A-1 | first | ✅ Done |',
      '| A-2 | second | 🚧 in progress |',
      '| **Total** | | |',
      '',
      '### B-1: A card',
      '',
      '- **Status:** ❌ blocked',
      '- [x] criterion',
      '',
    ].join('\n');
    assert.deepEqual(summary(text), ['A-1 done', 'A-2 in_progress', 'B-1 blocked', 'h-' + read(text).tasks[3]!.id.slice(2) + ' done <B-1']);
  });
});

describe('task board: surgical edits', () => {
  it('ticks a box by changing one byte, keeping trailing spaces, emoji and CRLF', () => {
    const text = '# 🚀 Board\r\n\r\n- [ ] T-1 first 🎯  \r\n- [ ] T-2 second\r\n';
    const after = edit(text, { op: 'status', id: 'T-1', status: 'done' });
    assert.equal(after, text.replace('- [ ] T-1', '- [x] T-1'));
    assert.equal(edit(after, { op: 'status', id: 'T-1', status: 'in_progress' }), text.replace('- [ ] T-1', '- [~] T-1'));
  });

  it('moves a card (with its sub-items) to the lane of its new status', () => {
    const text = ['## Todo', '', '- [ ] T-1 first', '  - detail', '- [ ] T-2 second', '', '## In Progress', '', '- [ ] T-3 third', '', '## Done', '', ''].join('\n');
    const started = edit(text, { op: 'status', id: 'T-1', status: 'in_progress' });
    assert.equal(started, ['## Todo', '', '- [ ] T-2 second', '', '## In Progress', '', '- [ ] T-3 third', '- [~] T-1 first', '  - detail', '', '## Done', '', ''].join('\n'));
    assert.equal(read(started).tasks.find((t) => t.id === 'T-1')!.status, 'in_progress');
    const done = edit(started, { op: 'status', id: 'T-3', status: 'done' });
    assert.equal(read(done).tasks.find((t) => t.id === 'T-3')!.status, 'done');
    assert.match(done, /## Done\n\n- \[x\] T-3 third\n\n$/);
  });

  it('takes the strike off an item whose whole text is struck through when it is no longer done', () => {
    assert.equal(edit('- [x] ~~T-1 old idea~~  \n', { op: 'status', id: 'T-1', status: 'todo' }), '- [ ] T-1 old idea  \n');
    assert.equal(edit('- [ ] ~~T-2 dropped~~\n', { op: 'status', id: 'T-2', status: 'in_progress' }), '- [~] T-2 dropped\n');
    assert.equal(edit('- [x] T-3 keeps ~~part~~ of it\n', { op: 'status', id: 'T-3', status: 'todo' }), '- [ ] T-3 keeps ~~part~~ of it\n');
  });

  it("rewrites a status cell in the board's own words, keeping the column aligned", () => {
    const text = ['| ID  | Task   | Status        |', '|-----|--------|---------------|', '| A-1 | first  | ✅ Done        |', '| A-2 | second | ⬜ Todo        |', ''].join('\n');
    const after = edit(text, { op: 'status', id: 'A-2', status: 'done' });
    assert.equal(after, text.replace('| ⬜ Todo        |', '| ✅ Done        |'));
    // No example of blocked on the board: Corral's word in the board's style (a leading symbol, capitalised).
    assert.equal(edit(text, { op: 'status', id: 'A-1', status: 'blocked' }), text.replace('| ✅ Done        |', '| ⛔ Blocked     |'));
  });

  it("rewrites a heading task's Status field, and notes go at the end of its section", () => {
    const text = ['### A-1: One', '', '- **Status:** ⬜ todo', '- **Owner:** x', '', '### A-2: Two', '', '- **Status:** ✅ done', ''].join('\n');
    const after = edit(text, { op: 'status', id: 'A-1', status: 'done' });
    assert.equal(after, text.replace('- **Status:** ⬜ todo', '- **Status:** ✅ done'));
    const noted = edit(text, { op: 'note', id: 'A-1', text: '2026-11-24 03:00 bob: started' });
    assert.equal(noted, text.replace('- **Owner:** x\n', '- **Owner:** x\n- 2026-11-24 03:00 bob: started\n'));
  });

  it('adds a note as an indented sub-item after the task and its sub-items', () => {
    const text = '- [ ] T-1 first\n  - [x] T-2 sub\n- [ ] T-3 next\n';
    assert.equal(
      edit(text, { op: 'note', id: 'T-1', text: '2026-11-24 03:00 alice: ran the tests, 2 failing' }),
      '- [ ] T-1 first\n  - [x] T-2 sub\n  - 2026-11-24 03:00 alice: ran the tests, 2 failing\n- [ ] T-3 next\n',
    );
    assert.equal(edit('1.  [ ] T-1 wide\n', { op: 'note', id: 'T-1', text: 'n' }), '1.  [ ] T-1 wide\n    - n\n');
  });

  it('assigns by adding or replacing an @name on the first line only', () => {
    assert.equal(edit('- [ ] T-1 first  \n', { op: 'assign', id: 'T-1', user: 'alice' }), '- [ ] T-1 first @alice  \n');
    assert.equal(edit('- [ ] T-1 first @bob #x\n', { op: 'assign', id: 'T-1', user: 'alice' }), '- [ ] T-1 first @alice #x\n');
  });

  it("adds a task after the last one of the todo lane, in the list's own bullet style", () => {
    assert.equal(edit('## Todo\n* [ ] T-1 a\n\n## Done\n* [x] T-2 b\n', { op: 'add', title: 'T-3 new' }), '## Todo\n* [ ] T-1 a\n* [ ] T-3 new\n\n## Done\n* [x] T-2 b\n');
    assert.equal(edit('# Empty\n', { op: 'add', title: 'T-1 first' }), '# Empty\n\n- [ ] T-1 first\n');
    assert.equal(edit('', { op: 'add', title: 'T-1 first' }), '- [ ] T-1 first\n');
  });

  it('says clearly what it cannot do', () => {
    assert.throws(() => edit('- [ ] T-1 a\n', { op: 'status', id: 'T-9', status: 'done' }), /no task T-9/);
    assert.throws(
      () => edit('## Todo\n- card\n', { op: 'status', id: read('## Todo\n- card\n').tasks[0]!.id, status: 'in_progress' }),
      (e: unknown) => e instanceof BoardEditError && /no section for in progress/.test(e.message),
    );
    // Done it can say without a Done section: struck through (issue 14: refuse only what the board cannot say).
    assert.equal(edit('## Todo\n- card\n', { op: 'status', id: read('## Todo\n- card\n').tasks[0]!.id, status: 'done' }), '## Todo\n- ~~card~~\n');
    assert.throws(() => edit('| ID | Status |\n|---|---|\n| A-1 | done |\n', { op: 'note', id: 'A-1', text: 'x' }), /table row/);
  });
});
