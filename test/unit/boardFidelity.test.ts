import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { ErrorCode } from '../../server/protocol';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, type BoardEdit } from '../../server/tasks/edit';
import { loadBoard } from '../../server/tasks/file';
import { markdownParser } from '../../server/tasks/markdown';
import { fixture } from '../support/boards';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);
const edit = (text: string, change: BoardEdit): string => applyEdit(read(text), change, read);
const statuses = (text: string): string[] => read(text).tasks.map((t) => `${t.title} ${t.status}`);

/** The classes of failure issue 14 found on real boards, each on a board written for it and, where there is one, a real board. */
describe('task board: fidelity on boards nobody tuned it to (issue 14)', () => {
  describe('no task is dropped silently', () => {
    it('lists a heading task whose Status field says something unknown as other, with its words', () => {
      const text = ['### T-1 Calibration', '', '**Status:** Partial (script exists, needs update)', '', '### T-2 Feature engineering', '', '**Status:** Done', ''].join('\n');
      const board = read(text);
      assert.deepEqual(
        board.tasks.map((t) => [t.id, t.status, t.otherStatus]),
        [
          ['T-1', 'other', 'Partial (script exists, needs update)'],
          ['T-2', 'done', undefined],
        ],
      );
      // It can be given a known status: the field gets a word of the board's vocabulary.
      assert.match(edit(text, { op: 'status', id: 'T-1', status: 'done' }), /\*\*Status:\*\* Done\n\n### T-2/);
    });

    it('reads a list that strikes its done items through as tasks, the others still to do', () => {
      const text = [
        '## Phase 1',
        '',
        '- ~~export a day~~',
        '- ~~deploy it so my phone',
        '  reaches it~~',
        '- rest timer modes',
        '  - EMOM',
        '',
        'Prose with ~~a strike~~ in it.',
        '',
        '- a plain list',
        '- without strikes',
        '',
      ].join('\n');
      assert.deepEqual(statuses(text), ['export a day done', 'deploy it so my phone done', 'rest timer modes todo']);
      assert.equal(edit(text, { op: 'status', id: read(text).tasks[2]!.id, status: 'done' }), text.replace('- rest timer modes\n', '- ~~rest timer modes~~\n'));
      assert.equal(edit(text, { op: 'status', id: read(text).tasks[0]!.id, status: 'todo' }), text.replace('- ~~export a day~~', '- export a day'));
      assert.throws(() => edit(text, { op: 'status', id: read(text).tasks[2]!.id, status: 'in_progress' }), /cannot say in progress; give it a checkbox/);
      // An assignee added after the strike keeps the item struck (and a task), and unstriking leaves it there.
      const assigned = edit(text, { op: 'assign', id: read(text).tasks[0]!.id, user: 'ana' });
      assert.deepEqual(
        read(assigned).tasks.map((t) => t.status),
        ['done', 'done', 'todo'],
      );
      assert.match(edit(assigned, { op: 'status', id: read(assigned).tasks[0]!.id, status: 'todo' }), /^- export a day @ana$/m);
      // Real: a backlog of phases whose done items are struck through.
      assert.equal(read(fixture('real/OttyEM-workout-tracker-BACKLOG.md')).tasks.length, 15);
    });

    it('gives lanes a status in several languages, with emoji and counts', () => {
      const lanes = [
        '## 🔮 Later',
        '## Next (2)',
        '## Pending',
        '## 🧪 Test',
        '## QA',
        '## Ready',
        '## Not in scope',
        '## 📦 Archive',
        '## A faire',
        '## En cours',
        '## Fait',
        '## 진행 중 (In Progress)',
        '## 待測試 (Ready for Testing)',
        '## Da fare',
      ];
      const text = lanes.map((lane, i) => `${lane}\n\n- card ${i}\n`).join('\n');
      assert.deepEqual(statuses(text), [
        'card 0 todo',
        'card 1 todo',
        'card 2 todo',
        'card 3 review',
        'card 4 review',
        'card 5 todo',
        'card 6 todo',
        'card 7 done',
        'card 8 todo',
        'card 9 in_progress',
        'card 10 done',
        'card 11 in_progress',
        'card 12 review',
        'card 13 todo',
      ]);
      // Real: Korean and Chinese lanes named twice, Portuguese lanes with "- Nenhuma" in an empty one.
      assert.equal(read(fixture('real/Mcslg-NOXE-kanban.md')).tasks.filter((t) => t.status === 'review').length, 9);
      assert.equal(
        read(fixture('real/AlisonWolfbr-pokedex-typescript-lite-KANBAN.md')).tasks.some((t) => t.title === 'Nenhuma'),
        false,
      );
    });

    it('reads a "Testing" section inside a lane as a category of that lane, not a lane of its own', () => {
      const text = ['## Backlog', '', '### UI', '- [ ] one', '', '### Testing', '- [ ] unit tests', '', '## Testing', '', '- being tested', ''].join('\n');
      assert.deepEqual(statuses(text), ['one todo', 'unit tests todo', 'being tested review']);
    });

    it("takes the lane's status for tables under a lane without a status column, the Owner column as assignee", () => {
      const text = [
        '## 🗂️ 백로그 (Backlog)',
        '',
        '| 작업 | 담당자 | Owner |',
        '|---|---|---|',
        '| write docs | 🔴 높음 | ana |',
        '',
        '## ✅ Done',
        '',
        '| Task | Owner |',
        '|---|---|',
        '| set up repo | @ben |',
        '',
      ].join('\n');
      const board = read(text);
      assert.deepEqual(
        board.tasks.map((t) => [t.title, t.status, t.assignees]),
        [
          ['write docs', 'todo', ['ana']],
          ['set up repo', 'done', ['ben']],
        ],
      );
      assert.deepEqual(
        read(fixture('real/IBORY-PURPLE-tut01-KANBAN.md'))
          .tasks.filter((t) => t.kind === 'table')
          .map((t) => t.status),
        ['todo', 'todo', 'todo', 'todo', 'todo', 'in_progress', 'in_progress', 'done', 'done', 'done'],
      );
    });

    it('recognises a status column by its header (Estado, Resultado, State, Stage) and by its values', () => {
      for (const header of ['Estado', 'Resultado', 'State', 'Stage', 'Status (2026-10)']) {
        const text = [`| Tarea | ${header} |`, '|---|---|', '| uno | ✅ Hecho |', '| dos | Pendiente |', ''].join('\n');
        assert.deepEqual(statuses(text), ['uno done', 'dos todo'], header);
      }
      const byValues = ['| Item | Where |', '|---|---|', '| login | done (v1.2) |', '| export | in progress |', '| sync | todo |', ''].join('\n');
      assert.deepEqual(statuses(byValues), ['login done', 'export in_progress', 'sync todo']);
      // A feature matrix of ✅ and ❌ in several columns, a "Status" of services, and a list of ids are not tasks.
      assert.deepEqual(statuses(['| Feature | Chrome | Firefox |', '|---|---|---|', '| WebGPU | ✅ | ❌ |', '| WebUSB | ✅ | ❌ |', ''].join('\n')), []);
      assert.equal(
        read(fixture('real/1955mars-Marathon-TASKS.md')).tasks.some((t) => t.kind === 'table'),
        false,
      );
      assert.equal(read(fixture('real/Dae2004-Incidents-Kanban-KANBAN.md')).tasks.length, 20);
    });

    it('reads a card written as a heading under a lane as one task, whatever metadata bullets follow', () => {
      const text = [
        '## To Do',
        '',
        '### Host List',
        '',
        '  - due: 2025-07-14',
        '  - tags: [UI, Core]',
        '  - defaultExpanded: false',
        '  - steps:',
        '      - [ ] Fetch devices',
        '    ```md',
        '    List of hosts',
        '    ```',
        '',
        '### Device Discovery',
        '',
        '  - defaultExpanded: false',
        '',
        '## Done',
        '',
      ].join('\n');
      const board = read(text);
      const top = board.tasks.filter((t) => t.parent === null);
      assert.deepEqual(
        top.map((t) => [t.title, t.status, t.kind]),
        [
          ['Host List', 'todo', 'heading'],
          ['Device Discovery', 'todo', 'heading'],
        ],
      );
      assert.equal(read(fixture('real/JoshuaMohamed-ecm3432-agile-kanban.md')).tasks.length, 21);
    });
  });

  describe('ids and assignees', () => {
    it('takes as an id only what looks like one on that board', () => {
      const text = [
        '- [ ] COVID-19 dashboard for the clinic',
        '- [ ] Pilot-2 uses the new API',
        '- [ ] T-12 a real id',
        '- [ ] TASK-TC952: with a colon',
        '- [ ] KORE-1 shared prefix',
        '- [ ] KORE-2 shared prefix too',
        '',
      ].join('\n');
      const board = read(text);
      assert.deepEqual(
        board.tasks.map((t) => [t.explicitId, t.explicitId ? t.id : t.title]),
        [
          [false, 'COVID-19 dashboard for the clinic'],
          [false, 'Pilot-2 uses the new API'],
          [true, 'T-12'],
          [true, 'TASK-TC952'],
          [true, 'KORE-1'],
          [true, 'KORE-2'],
        ],
      );
    });

    it('reads assignees from Owner: and Assignee: fields, and writes a new one there', () => {
      const text = ['### A-1: Export', '', '- **Status:** todo', '- **Owner:** ana', '', '## Todo', '', '- [ ] B-1 import', '  - Assignee: @ben', '  - note', ''].join('\n');
      const board = read(text);
      assert.deepEqual(board.tasks.find((t) => t.id === 'A-1')!.assignees, ['ana']);
      assert.deepEqual(board.tasks.find((t) => t.id === 'B-1')!.assignees, ['ben']);
      assert.equal(edit(text, { op: 'assign', id: 'A-1', user: 'corral-bot' }), text.replace('**Owner:** ana', '**Owner:** corral-bot'));
      assert.equal(edit(text, { op: 'assign', id: 'B-1', user: 'carol' }), text.replace('Assignee: @ben', 'Assignee: @carol'));
      // Real: "Responsable:" fields of a Spanish board.
      const real = read(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'boards', 'written', 'responsable.md'), 'utf8'));
      assert.deepEqual(
        real.tasks.map((t) => t.assignees),
        [['Danilo Mercado'], ["Francesco D'agostino"]],
      );
    });

    it('gives one warning with a count for thousands of duplicate ids', () => {
      const text = Array.from({ length: 3000 }, (_, i) => `- [ ] T-${i % 10} same ten ids`).join('\n');
      const board = read(text);
      assert.equal(board.warnings.length, 1);
      assert.match(board.warnings[0]!, /^2,990 tasks repeat an id already on the board \(T-0 on lines 1 and 11, /);
      assert.deepEqual(read('- [ ] T-1 a\n- [ ] T-1 b\n').warnings, ['duplicate id T-1 on lines 1 and 2; the first one is used']);
    });
  });

  describe("edits in the board's style", () => {
    it('indents a note like the board nests (tabs where it uses tabs), with its bullet', () => {
      const tabs = ['- [ ] T-1 parent', '\t- [ ] T-2 child', '- [ ] T-3 other', ''].join('\n');
      assert.equal(edit(tabs, { op: 'note', id: 'T-3', text: 'checked' }), tabs.replace('- [ ] T-3 other\n', '- [ ] T-3 other\n\t- checked\n'));
      const fours = fixture('real/CantarinoG-basic-ecommerce-KANBAN.md');
      const noted = edit(fours, { op: 'note', id: '#07', text: 'checked' });
      assert.ok(noted.includes('    - Notes: N/A\n    - checked\n\n- [ ] **#08'), 'after its own detail bullets, indented like them');
    });

    it("writes a heading task's note inside its section, indented like its metadata", () => {
      const text = ['## To Do', '', '### Host List', '', '  - tags: [UI]', '', '### Next card', '', '  - tags: [x]', ''].join('\n');
      const noted = edit(text, { op: 'note', id: read(text).tasks[0]!.id, text: 'started' });
      assert.equal(noted, text.replace('  - tags: [UI]\n', '  - tags: [UI]\n  - started\n'));
      // A card of prose takes a paragraph: an item would make it a group of cards (and the note a card).
      const prose = ['## Backlog', '', '### Reset password flow', '', 'Users forget them.', '', '```', '- [ ] not a task', '```', '', '## Done', ''].join('\n');
      const onProse = edit(prose, { op: 'note', id: read(prose).tasks[0]!.id, text: 'asked support' });
      assert.equal(onProse, prose.replace('```\n\n## Done', '```\n\nasked support\n\n## Done'));
      assert.deepEqual(
        read(onProse).tasks.map((t) => t.title),
        ['Reset password flow'],
      );
    });

    it('pads a rewritten cell only in an aligned table, and `start` writes the owner column, never the title', () => {
      const aligned = [
        '| ID  | Task  | Owner | Status      |',
        '|-----|-------|-------|-------------|',
        '| A-1 | one   |       | todo        |',
        '| A-2 | two   | ana   | done        |',
        '',
      ].join('\n');
      const started = edit(aligned, { op: 'assign', id: 'A-1', user: 'bob' });
      assert.equal(started, aligned.replace('| A-1 | one   |       |', '| A-1 | one   | bob   |'));
      const moved = edit(aligned, { op: 'status', id: 'A-1', status: 'in_progress' });
      assert.equal(moved, aligned.replace('| todo        |', '| in progress |'));
      const ragged = ['| ID | Task | Status |', '|---|---|---|', '| A-1 | one | in progress |', '| A-2 | two | done |', ''].join('\n');
      assert.equal(edit(ragged, { op: 'status', id: 'A-1', status: 'done' }), ragged.replace('| in progress |', '| done |'));
    });

    it('refuses only when the board truly cannot show the status', () => {
      const text = ['## Todo', '', '- [ ] T-1 one', '', '## Review', '', '## Done', ''].join('\n');
      const reviewed = edit(text, { op: 'status', id: 'T-1', status: 'review' });
      assert.equal(read(reviewed).tasks[0]!.status, 'review');
      assert.throws(() => edit(['## Todo', '', '- T-1 one', ''].join('\n'), { op: 'status', id: 'T-1', status: 'review' }), /add one \(e\.g\. "## Review"\)/);
      // Done needs no Done section (struck through), and a row moves into a lane's table that has no rows yet.
      assert.equal(edit(['## Todo', '', '- T-1 one', ''].join('\n'), { op: 'status', id: 'T-1', status: 'done' }), ['## Todo', '', '- ~~T-1 one~~', ''].join('\n'));
      const rayan = fixture('real/RayanBO-kanban-kanban.md');
      const moved = edit(rayan, { op: 'status', id: read(rayan).tasks[0]!.id, status: 'done' });
      assert.match(moved, /### Done\n\n\| ID \| Title \| Priority \| Assigned \|\n\|----\|-------\|----------\|----------\|\n\| `bbda320f` \| hello world \| high \| - \|\n/);
    });
  });

  describe('a board path that is not a file', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-board-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('refuses a folder with a plain InvalidParams error', () => {
      const folder = path.join(dir, 'TASKS.md');
      fs.mkdirSync(folder);
      assert.throws(
        () => loadBoard(folder),
        (error: unknown) => error instanceof CorralError && error.code === ErrorCode.InvalidParams && /is a folder/.test(error.message),
      );
    });

    it('refuses a FIFO without waiting for a writer', function () {
      this.timeout(60_000);
      const fifo = path.join(dir, 'FIFO.md');
      execFileSync('mkfifo', [fifo]);
      // In a child process with a time limit: a read that waits for a writer blocks its whole
      // process, so in this one it would hang the test run instead of failing it.
      const module = path.resolve(__dirname, '..', '..', 'server', 'tasks', 'file.ts');
      const script = `import(${JSON.stringify(module)}).then((m) => { try { (m.loadBoard ?? m.default.loadBoard)(${JSON.stringify(fifo)}); console.log('read'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); } })`;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 30_000, encoding: 'utf8', cwd: path.resolve(__dirname, '..', '..') });
      const error = JSON.parse(out.trim()) as { code: number; message: string };
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.match(error.message, /not a regular file/);
    });
  });
});
