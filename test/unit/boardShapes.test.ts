import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import { TASK_STATUSES } from '../../server/tasks/status';
import { changedLines } from '../support/boards';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);

/**
 * Pieces of the shapes real boards take (issue 14): legends, lanes in several languages, tables
 * with and without status or owner columns, heading cards with metadata, Status fields in unknown
 * words, struck-through lists, placeholders. Boards are made of random sequences of them.
 */
const piece = fc.constantFrom(
  '🟡 READY · 🟢 IN PROGRESS · ✅ DONE',
  'Legend: ✅ Done · 🚧 In progress',
  '## 🗂️ 백로그 (Backlog)',
  '## En cours (2)',
  '## Done 2026-11-20',
  '## Testing',
  '### UI',
  '- [ ] T-1 first @ana',
  '- [x] T-2 second',
  '- plain card',
  '- Nenhuma',
  '- ~~struck idea~~',
  '  - Owner: bob',
  '| ID | Task | Owner | Status |\n|----|------|-------|--------|\n| A-1 | one | | ✅ Done (2026-10-12) |\n| A-2 | two | ana | 🚧 In progress since May |',
  '| Task | 담당자 |\n|---|---|\n| write docs | 전체 |',
  '### Host List\n\n  - due: 2025-07-14\n  - defaultExpanded: false',
  '### T-9 Calibration\n\n**Status:** Partial (script exists)',
  '### F-1: Export\n\n- **Status:** Erledigt – extracted the helper\n- **Owner:** ana',
  '```\n- [ ] not a task\n```',
  '1. [ ] T-5 numbered\n\t- [x] T-6 tabbed child',
  '| ID  | Task  | Status      |\n|-----|-------|-------------|\n| B-1 | one   | ✅ done     |\n| B-2 | two   | ⬜ todo     |',
  '> - [ ] T-7 quoted',
  '* [ ] [Linked title](./plans/a.md)',
  'COVID-19 dashboard notes.',
  '',
);
const board = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 14 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([pieces, eol, final]) => `${pieces.join('\n\n')}${final ? '\n' : ''}`.replace(/\n/g, eol));

describe('task board: random boards in the shapes of real ones (fast-check)', function () {
  this.timeout(120_000);

  it('every status edit is made or refused, never wrong: the task reads as asked, every other task keeps its text and status', () => {
    fc.assert(
      fc.property(board, fc.nat(), fc.constantFrom(...TASK_STATUSES), (text, pick, status) => {
        const before = read(text);
        assert.ok(before.text === text, 'parse → print is the same text');
        if (before.tasks.length === 0) return;
        const task = before.tasks[pick % before.tasks.length]!;
        let after: string;
        try {
          after = applyEdit(before, { op: 'status', id: task.id, status }, read);
        } catch (error) {
          assert.ok(error instanceof BoardEditError, String(error));
          return;
        }
        const reread = read(after);
        // Derived ids of identical titles are numbered in board order, so a move may swap them: only ids of their own are compared.
        const unique = (id: string): boolean =>
          before.tasks.filter((t) => t.id === id).length === 1 && !/^h-[0-9a-f]{6}-\d+$/.test(id) && !before.tasks.some((t) => t.id === `${id}-2`);
        if (unique(task.id)) assert.equal(reread.tasks.find((t) => t.id === task.id)?.status, status === task.status ? task.status : status);
        for (const other of before.tasks.filter((t) => t.id !== task.id && t.parent !== task.id && unique(t.id))) {
          const again = reread.tasks.find((t) => t.id === other.id);
          assert.ok(again, `${other.id} is still there`);
          assert.equal(again.status, other.status, `${other.id} keeps its status`);
          assert.equal(after.slice(again.firstLine.start, again.firstLine.end), text.slice(other.firstLine.start, other.firstLine.end), `${other.id} keeps its text`);
        }
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('assignments and notes keep the task count and touch only that task', () => {
    fc.assert(
      fc.property(board, fc.nat(), (text, pick) => {
        const before = read(text);
        // An edit names a task by id: with a repeated id it goes to the first, so only unique ids are picked.
        const unique = before.tasks.filter((t) => before.tasks.filter((u) => u.id === t.id).length === 1);
        if (unique.length === 0) return;
        const task = unique[pick % unique.length]!;
        const lastLine = text.slice(0, task.span.end).split('\n').length;
        const assignedText = applyEdit(before, { op: 'assign', id: task.id, user: 'corral-bot' });
        const assigned = read(assignedText);
        assert.equal(assigned.tasks.length, before.tasks.length);
        const a = changedLines(text, assignedText);
        assert.ok(a.added === 0 && a.from === a.to && a.from >= task.line && a.to <= lastLine, `assign changed lines ${a.from}-${a.to} of a task on ${task.line}-${lastLine}`);
        if (task.kind === 'table') return;
        const notedText = applyEdit(before, { op: 'note', id: task.id, text: 'checked the logs' });
        const noted = read(notedText);
        assert.equal(noted.tasks.length, before.tasks.length, 'a note is not a task');
        assert.deepEqual(
          noted.tasks.map((t) => [t.id, t.status]),
          before.tasks.map((t) => [t.id, t.status]),
          'a note changes no task',
        );
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
