import * as assert from 'node:assert/strict';
import { ConfigSchema } from '../../server/config';
import { readBoard, type Board, type ParseOptions, type Task } from '../../server/tasks/board';
import { applyEdit, BoardEditError } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import { TASK_STATUSES, type TaskStatus } from '../../server/tasks/status';
import { emptyVocabulary, phraseOf, statusOf } from '../../server/tasks/vocabulary';
import { allBoards, fixture } from '../support/boards';

const parser = markdownParser();

/** A status word and nothing else: an optional symbol, then at most three words; no date, number or sentence. */
const STATUS_WORD = /^(?:[^\p{L}\p{N}\s]+(?:\s+|$))?(?:[\p{L}][\p{L}\p{M}'’]*(?:[ -][\p{L}][\p{L}\p{M}'’]*){0,2})?$/u;

function statusTextOf(board: Board, task: Task): string {
  return board.text.slice(task.statusText!.start, task.statusText!.end);
}

/** The status cell or field after the edit, with its markup and padding taken off. */
function bare(text: string): string {
  return text.replace(/<\/?(?:b|strong|code)>|[`*_~]/g, '').trim();
}

/** Makes the edit, or says why the board cannot show it. */
function setStatus(board: Board, task: Task, status: TaskStatus, options: ParseOptions = {}): string | BoardEditError {
  try {
    return applyEdit(board, { op: 'status', id: task.id, status }, (t) => readBoard(t, parser, options));
  } catch (error) {
    if (error instanceof BoardEditError) return error;
    throw error;
  }
}

/** The check behind the data loss of issue 14: a status edit writes a word of the board's vocabulary into that one task. */
function checkStatusEdits(board: Board, options: ParseOptions = {}, sample = 6): { edits: number; refused: number } {
  const withText = board.tasks.filter((t) => t.statusText !== undefined && (t.statusFrom === 'cell' || t.statusFrom === 'field' || t.lane !== undefined));
  const step = Math.max(1, Math.floor(withText.length / sample));
  const picks = withText.filter((_, i) => i % step === 0).slice(0, sample);
  let edits = 0;
  let refused = 0;
  for (const task of picks) {
    for (const status of TASK_STATUSES.filter((s) => s !== task.status)) {
      const after = setStatus(board, task, status, options);
      if (after instanceof BoardEditError) {
        refused++;
        continue;
      }
      edits++;
      const reread = readBoard(after, parser, options);
      const now = reread.tasks.find((t) => t.id === task.id)!;
      const written = bare(statusTextOf(reread, now));
      assert.match(written, STATUS_WORD, `${task.id} → ${status}: the cell/field holds "${written}"`);
      assert.equal(statusOf(written, reread.vocabulary), status, `${task.id} → ${status}: "${written}" reads as ${status}`);
      // No other task's text changes (a lane move changes places, not words).
      for (const other of board.tasks.filter((t) => t.id !== task.id && t.parent !== task.id && board.tasks.filter((u) => u.id === t.id).length === 1)) {
        const again = reread.tasks.find((t) => t.id === other.id);
        assert.ok(again, `${other.id} is still on the board after ${task.id} → ${status}`);
        assert.equal(
          reread.text.slice(again.firstLine.start, again.firstLine.end),
          board.text.slice(other.firstLine.start, other.firstLine.end),
          `${other.id} unchanged after ${task.id} → ${status}`,
        );
        assert.equal(again.status, other.status, `${other.id} keeps its status after ${task.id} → ${status}`);
      }
      if (now.line === task.line) {
        // In place: everything before the status text and after its line is byte for byte the same.
        const lineEnd = board.text.indexOf('\n', task.statusText!.end);
        const tail = lineEnd < 0 ? '' : board.text.slice(lineEnd);
        assert.equal(after.slice(0, task.statusText!.start), board.text.slice(0, task.statusText!.start));
        assert.ok(after.endsWith(tail), `${task.id} → ${status}: only its own line changes`);
      }
    }
  }
  return { edits, refused };
}

describe("task board: status edits write the board's own status words (issue 14, data loss)", () => {
  it('takes the status phrase out of a status text, without what follows it', () => {
    const cases: [string, string | undefined][] = [
      ['✅ Done (2026-10-12)', '✅ Done'],
      ['Erledigt – _load_excel_safe() extrahiert', 'Erledigt'],
      ['Ready for Testing', 'Ready for Testing'],
      ['In progress since May', 'In progress'],
      ['en cours depuis lundi', 'en cours'],
      ['**done (v1.3)**', 'done'],
      ['Blocked by R-3', 'Blocked'],
      ['Done by Alice', 'Done'],
      ['진행 중 (In Progress)', '진행 중'],
      ['✅', '✅'],
      ['shipped the export in v2 and more', 'shipped'],
      ['see the notes', undefined],
    ];
    for (const [text, phrase] of cases) assert.equal(phraseOf(text, emptyVocabulary())?.phrase, phrase, text);
  });

  it("copies only the phrase of another task's cell, never its date or sentence", () => {
    const board = readBoard(fixture('written/dated-statuses.md'), parser);
    const cell = (text: string, id: string): string =>
      text
        .split('\n')
        .find((l) => l.startsWith(`| ${id} `))!
        .split('|')[4]!
        .trim();
    assert.equal(cell(applyEdit(board, { op: 'status', id: 'R-3', status: 'done' }), 'R-3'), '✅ Done');
    assert.equal(cell(applyEdit(board, { op: 'status', id: 'R-1', status: 'blocked' }), 'R-1'), '⛔ Blocked');
    assert.equal(cell(applyEdit(board, { op: 'status', id: 'R-4', status: 'in_progress' }), 'R-4'), '🚧 In progress');
    assert.equal(cell(applyEdit(board, { op: 'status', id: 'R-2', status: 'todo' }), 'R-2'), '⬜ Not started');
  });

  it("keeps a field's own markup and takes the phrase the other tasks use most", () => {
    const text = fixture('written/dated-fields.md');
    const board = readBoard(text, parser);
    assert.equal(applyEdit(board, { op: 'status', id: 'F-2', status: 'done' }), text.replace('- **Status:** Offen', '- **Status:** Erledigt'));
    assert.equal(applyEdit(board, { op: 'status', id: 'F-3', status: 'todo' }), text.replace('**Erledigt** (2026-11-02)', '**Offen**'));
  });

  it('prefers configured words (config.json tasks.words), then the legend', () => {
    const text = fixture('written/dated-fields.md');
    const options: ParseOptions = { words: { done: 'Fertig', todo: 'Offen' } };
    const board = readBoard(text, parser, options);
    assert.equal(applyEdit(board, { op: 'status', id: 'F-2', status: 'done' }), text.replace('- **Status:** Offen', '- **Status:** Fertig'));
    assert.equal(readBoard(text.replace('Offen', 'Fertig'), parser, options).tasks.find((t) => t.id === 'F-2')!.status, 'done');
    // config.json says so: { "tasks": { "words": { "done": "Fertig" } } }; a word with a pipe would break a table.
    assert.deepEqual(ConfigSchema.parse({ tasks: { words: { done: 'Fertig' } } }).tasks?.words, { done: 'Fertig' });
    assert.throws(() => ConfigSchema.parse({ tasks: { words: { done: 'a | b' } } }));
    assert.throws(() => ConfigSchema.parse({ tasks: { words: { finished: 'x' } } }));
  });

  it("reads the legend's words before a colour guess, and writes them", () => {
    const text = fixture('written/legend-colours.md');
    const board = readBoard(text, parser);
    // 🟡 is "ready" here, 🟢 "in progress" (Corral's guesses would be in progress and done).
    assert.deepEqual(
      board.tasks.map((t) => `${t.id} ${t.status}`),
      ['1 in_progress', '2 todo', '3 done', '4 todo'],
    );
    assert.equal(applyEdit(board, { op: 'status', id: '2', status: 'review' }), text.replace('| 2 | Password reset | 🟡 READY |', '| 2 | Password reset | 🔵 REVIEW |'));
  });

  it("writes Corral's word in the board's style when the board has none, inside the cell's markup", () => {
    const text = fixture('written/coded-cells.md');
    const board = readBoard(text, parser);
    assert.equal(applyEdit(board, { op: 'status', id: 'F-003', status: 'blocked' }), text.replace('| `planned` |', '| `blocked` |'));
    assert.equal(applyEdit(board, { op: 'status', id: 'F-004', status: 'in_progress' }), text.replace('| **done (v1.3)** |', '| **in-progress** |'));
    assert.equal(applyEdit(board, { op: 'status', id: 'F-003', status: 'done' }), text.replace('| `planned` |', '| `done` |'));
    // Not aligned: no padding is added.
    assert.equal(applyEdit(board, { op: 'status', id: 'F-002', status: 'review' }), text.replace('| `in-progress` |', '| `review` |'));
  });

  describe('every board of the corpus and the fixtures: a status word and nothing else, every other task unchanged', function () {
    this.timeout(60_000);
    for (const { name, text } of allBoards()) {
      it(name, () => {
        const board = readBoard(text, parser);
        const { edits, refused } = checkStatusEdits(board);
        // Boards without status cells or fields have nothing to check here.
        if (edits + refused > 0) assert.ok(edits > 0, `every status edit on ${name} was refused`);
      });
    }
  });
});
