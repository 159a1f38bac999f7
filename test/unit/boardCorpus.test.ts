import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';

const parseMarkdown = markdownParser();
import type { ReadStatus, TaskStatus } from '../../server/tasks/status';
import { changedLines } from '../support/boards';

const corpus = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'tasks-md');

/**
 * What a person reading each board sees: how many tasks, in which states, and a task or two by
 * id. Written down after reading the files; the notes say how each was counted.
 */
const EXPECTED: Record<string, { tasks: number; status: Partial<Record<TaskStatus, number>>; samples?: [string, TaskStatus][]; note: string }> = {
  '01-00-Aryan-LeadOS-TASKS.md': {
    tasks: 22,
    status: { done: 5, in_progress: 2, todo: 15 },
    samples: [
      ['TASK-0001', 'done'],
      ['TASK-0002', 'todo'],
    ],
    note: '"### TASK-0001: …" headings, each with a "Status: Done/Pending/In progress" line',
  },
  '02-0046-shun-calculation-TASKS.md': { tasks: 51, status: { done: 32, todo: 19 }, note: 'GFM boxes under phase headings, nested two spaces; the ```json block has none' },
  '03-0LucasMatheus-LocaCentral-TASKS.md': {
    tasks: 50,
    status: { done: 27, todo: 23 },
    samples: [
      ['0.1', 'done'],
      ['9.1', 'todo'],
    ],
    note: '"- [x] **0.1** Title" with bold dotted ids; plain nested bullets are details, not tasks',
  },
  '04-3w-weiwei-wechat_auto-TASKS.md': { tasks: 20, status: { done: 11, todo: 9 }, samples: [['0.1', 'done']], note: 'table rows with a 状态 column; ✅ done' },
  '05-Eforen-KORE-KANBAN.md': {
    tasks: 190,
    status: { done: 117, in_progress: 1, blocked: 6, todo: 66 },
    note: 'kanban lanes "# Done / ## Done <date> / ### Next Commit (who)", "# Working On / ## Set aside", "# Todos / ## Wishlist"; "[TAG]" prefixes are tags, not boxes; ```markdown examples excluded',
  },
  '06-0xmhha-anvil-go-TASKS.md': {
    tasks: 31,
    status: { done: 30, todo: 1 },
    samples: [
      ['P6.5.3', 'todo'],
      ['P6.1.1', 'done'],
    ],
    note: 'legend items are not tasks; "Task ID" tables without a status column are not tasks; the summary table with a Status column is (its Total row is not); "1. [x]" numbered boxes',
  },
  '07-0022111-sbtracker-BACKLOG.md': {
    tasks: 39,
    status: { done: 18, in_progress: 10, todo: 11 },
    samples: [['F-001', 'done']],
    note: 'table rows with a Status column of `codes`; the "### F-027" section details the F-027 row and is the same task',
  },
  '08-2-REC-replica-converter-TODO.md': { tasks: 5, status: { todo: 5 }, note: 'plain bullets under the "# TODO" title are the tasks; nested bullets are details (CRLF file)' },
  '09-Carlehyy-ALGO_COACH-TASKLIST-zh.md': { tasks: 0, status: {}, note: 'every task is inside ``` fences, and code blocks never yield tasks (a person sees 115 there)' },
  '10-123actionbarcelona-mystery-events-platform-TASKS.md': { tasks: 57, status: { todo: 57 }, note: '57 real boxes outside fences; the 84 inside ```bash fences do not count' },
  '11-AnderRasoVazquez-kanban-kanban.md': {
    tasks: 20,
    status: { todo: 10, in_progress: 4, done: 6 },
    note: '11 cards in three lanes (plain bullets) + 9 checkbox subtasks with their own state',
  },
  '12-The-Incipisphere-The-Incipisphere-Mod-Planning-Kanban.md': {
    tasks: 2,
    status: { todo: 2 },
    note: 'Obsidian kanban; front matter and the %% settings block are not tasks; empty lanes',
  },
  '13-marcusquinn-cloudron-netbird-app-TODO.md': {
    tasks: 9,
    status: { todo: 1, done: 8 },
    samples: [
      ['t012', 'todo'],
      ['t004', 'done'],
    ],
    note: 'the ```markdown example and the <!--TOON--> comments do not count',
  },
  '14-EZForever-libcryptohive-TODO.md': { tasks: 8, status: { done: 5, todo: 3 }, note: 'the struck-through unchecked item counts as done' },
  '15-WiljamiHakkarainen-Software_project-Kanban.md': {
    tasks: 13,
    status: { todo: 8, in_progress: 2, done: 3 },
    samples: [['4', 'in_progress']],
    note: 'a table per lane; a row in the In Progress lane whose cell still says Backlog is in progress',
  },
  '16-0xClawAI-command-center-TASKS.md': {
    tasks: 295,
    status: { done: 264, review: 5, todo: 26 },
    samples: [['A-001', 'done']],
    note: '42 "### A-001: …" headings with "- **Status:**" fields (5 "🧪 testing" = review) + 253 pass-criteria boxes as their subtasks',
  },
  '17-Office-FD-spielplan-optimierer-BACKLOG.md': { tasks: 22, status: { done: 17, todo: 5 }, note: '"### [intern] Title" cards with a **Status:** Erledigt/Offen field' },
};

function read(file: string): { bytes: Buffer; board: Board } {
  const bytes = fs.readFileSync(path.join(corpus, file));
  return { bytes, board: readBoard(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), parseMarkdown) };
}

describe('task board: the corpus of real boards', function () {
  this.timeout(30_000);
  before(function () {
    // The corpus sits beside the clone on the build machines (../shared); a bare clone reports
    // these tests as skipped, with the reason, rather than as failures.
    if (!fs.existsSync(corpus)) {
      console.log(`    skipped: no corpus at ${corpus} (it comes with ../shared beside the clone)`);
      this.skip();
    }
  });
  it('has an expectation for every file of the corpus', () => {
    assert.deepEqual(
      fs
        .readdirSync(corpus)
        .filter((f) => /^\d/.test(f))
        .sort(),
      Object.keys(EXPECTED).sort(),
    );
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    describe(file, () => {
      it(`reads ${expected.tasks} tasks as a person does (${expected.note})`, () => {
        const { board } = read(file);
        assert.equal(board.tasks.length, expected.tasks);
        const counts: Partial<Record<ReadStatus, number>> = {};
        for (const task of board.tasks) counts[task.status] = (counts[task.status] ?? 0) + 1;
        assert.deepEqual(counts, expected.status);
        for (const [id, status] of expected.samples ?? []) assert.equal(board.tasks.find((t) => t.id === id)?.status, status, id);
      });

      it('gives back the same bytes when nothing is edited, and keeps its line endings', () => {
        const { bytes, board } = read(file);
        assert.ok(Buffer.from(board.text, 'utf8').equals(bytes));
        assert.equal(board.eol, bytes.includes('\r\n') ? '\r\n' : '\n');
      });

      it("changes only the edited task's lines for a status change, an assignee and a note", () => {
        const { board } = read(file);
        if (board.tasks.length === 0) {
          assert.throws(() => applyEdit(board, { op: 'status', id: 'T-1', status: 'done' }), /no task T-1 on the board/);
          return;
        }
        const picks = [...new Set([board.tasks[0]!, board.tasks[Math.floor(board.tasks.length / 2)]!, board.tasks.at(-1)!])];
        for (const task of picks) {
          const line = task.line;
          const lastLine = board.text.slice(0, task.span.end).split('\n').length;
          // Status: to something else; only its own lines change unless it moves between lanes.
          const target: TaskStatus = task.status === 'done' ? 'todo' : 'done';
          let after: string;
          try {
            after = applyEdit(board, { op: 'status', id: task.id, status: target });
          } catch (error) {
            assert.ok(error instanceof BoardEditError, String(error));
            continue;
          }
          const reread = readBoard(after, parseMarkdown);
          assert.equal(reread.tasks.find((t) => t.id === task.id)?.status, target, `${task.id} is ${target} after the edit`);
          assert.equal(reread.tasks.length, board.tasks.length);
          const moved = task.lane !== undefined && board.headings[task.lane]!.status !== target && reread.tasks.find((t) => t.id === task.id)!.line !== task.line;
          if (!moved) {
            const changed = changedLines(board.text, after);
            assert.ok(
              changed.from >= line && changed.to <= lastLine && changed.added === 0,
              `${task.id}: lines ${changed.from}-${changed.to} changed, task is ${line}-${lastLine}`,
            );
          }
          // Derived ids of identical titles are numbered in board order, so a move may swap them: only unique ones are compared.
          const unique = (id: string): boolean => !/^h-[0-9a-f]{6}-\d+$/.test(id) && !board.tasks.some((t) => t.id === `${id}-2`);
          for (const other of board.tasks.filter((t) => t.id !== task.id && t.parent !== task.id && unique(t.id))) {
            assert.equal(reread.tasks.find((t) => t.id === other.id)?.status, other.status, `${other.id} untouched`);
          }

          const assigned = applyEdit(board, { op: 'assign', id: task.id, user: 'corral-bot' });
          assert.ok(
            readBoard(assigned, parseMarkdown)
              .tasks.find((t) => t.id === task.id)!
              .assignees.includes('corral-bot'),
          );
          const a = changedLines(board.text, assigned);
          assert.ok(a.from === a.to && a.from >= line && a.to <= lastLine && a.added === 0, `${task.id}: assign changed ${a.from}-${a.to}`);

          if (task.kind !== 'table') {
            const noted = applyEdit(board, { op: 'note', id: task.id, text: '2026-11-24 03:00 alice: ran the tests, 2 failing' });
            const n = changedLines(board.text, noted);
            assert.equal(n.added, 1, 'one line added');
            // The board's own bullet for sub-items (`*` on some boards), and its line ending.
            assert.match(noted, /[-*+] 2026-11-24 03:00 alice: ran the tests, 2 failing(\r?\n|$)/);
            assert.equal(readBoard(noted, parseMarkdown).tasks.length, board.tasks.length, 'a note is not a task');
          }
        }
      });
    });
  }
});
