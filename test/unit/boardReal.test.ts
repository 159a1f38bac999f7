import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import type { ReadStatus, TaskStatus } from '../../server/tasks/status';
import { changedLines, fixturesDir } from '../support/boards';

const parser = markdownParser();
const dir = path.join(fixturesDir, 'real');

interface Counts {
  tasks: number;
  status: Partial<Record<ReadStatus, number>>;
}
/** What a person counted by reading the file; `differs` is what Corral reads instead, and why, when it does not agree yet. */
type Expected = Counts & { note: string; differs?: Counts & { reason: string } };

const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, { repository: string; path: string; commit: string }>;
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .sort();

function read(file: string): { bytes: Buffer; board: Board } {
  const bytes = fs.readFileSync(path.join(dir, file));
  return { bytes, board: readBoard(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), parser) };
}

function counts(board: Board): Counts {
  const status: Partial<Record<ReadStatus, number>> = {};
  for (const task of board.tasks) status[task.status] = (status[task.status] ?? 0) + 1;
  return { tasks: board.tasks.length, status };
}

describe('task board: real boards from public repositories (test/fixtures/boards/real)', function () {
  this.timeout(30_000);

  it("has at least 20 boards, each with its source (repository, path, commit) and a person's counts", () => {
    assert.ok(files.length >= 20, `${files.length} boards`);
    assert.deepEqual(Object.keys(manifest).sort(), files);
    assert.deepEqual(Object.keys(expected).sort(), files);
    for (const source of Object.values(manifest)) assert.match(source.commit, /^[0-9a-f]{40}$/);
  });

  for (const file of files) {
    const want = expected[file]!;
    describe(file, () => {
      const title = want.differs
        ? `reads ${want.differs.tasks} tasks where a person reads ${want.tasks} — known difference: ${want.differs.reason}`
        : `reads ${want.tasks} tasks as a person does (${want.note})`;
      it(title, () => {
        const { board } = read(file);
        // A known difference is pinned too, so fixing it shows here (and the expectation moves to the person's).
        const target = want.differs ?? want;
        assert.deepEqual(counts(board), { tasks: target.tasks, status: target.status });
      });

      it('gives back the same bytes when nothing is edited', () => {
        const { bytes, board } = read(file);
        assert.ok(Buffer.from(board.text, 'utf8').equals(bytes));
      });

      it("changes only the edited task's lines for a status change, an assignee and a note", () => {
        const { board } = read(file);
        const picks = [...new Set([board.tasks[0], board.tasks[Math.floor(board.tasks.length / 2)], board.tasks.at(-1)])].filter((t) => t !== undefined);
        for (const task of picks) {
          const lastLine = board.text.slice(0, task.span.end).split('\n').length;
          const target: TaskStatus = task.status === 'done' ? 'todo' : 'done';
          try {
            const after = applyEdit(board, { op: 'status', id: task.id, status: target }, (t) => readBoard(t, parser));
            const reread = readBoard(after, parser);
            assert.equal(reread.tasks.length, board.tasks.length);
            const moved = reread.tasks.find((t) => t.id === task.id)!.line !== task.line;
            if (!moved) {
              const changed = changedLines(board.text, after);
              assert.ok(
                changed.from >= task.line && changed.to <= lastLine && changed.added === 0,
                `${task.id}: lines ${changed.from}-${changed.to} changed, task is ${task.line}-${lastLine}`,
              );
            }
          } catch (error) {
            assert.ok(error instanceof BoardEditError, String(error));
          }
          const assigned = applyEdit(board, { op: 'assign', id: task.id, user: 'corral-bot' });
          const a = changedLines(board.text, assigned);
          assert.ok(a.from === a.to && a.from >= task.line && a.to <= lastLine && a.added === 0, `${task.id}: assign changed ${a.from}-${a.to}`);
          assert.ok(
            readBoard(assigned, parser)
              .tasks.find((t) => t.id === task.id)!
              .assignees.includes('corral-bot'),
          );
          if (task.kind !== 'table') {
            const noted = applyEdit(board, { op: 'note', id: task.id, text: 'ran the tests, 2 failing' });
            assert.equal(changedLines(board.text, noted).added, 1, 'one line added');
            assert.equal(readBoard(noted, parser).tasks.length, board.tasks.length, 'a note is not a task');
          }
        }
      });
    });
  }
});
