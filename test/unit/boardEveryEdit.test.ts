import * as assert from 'node:assert/strict';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import { TASK_STATUSES } from '../../server/tasks/status';
import { allBoards } from '../support/boards';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);

/**
 * Every status edit (to each other status) of up to 40 tasks of every corpus and fixture board:
 * made, and then the task reads as asked and every other task keeps its text, status and place in
 * the count — or refused with a BoardEditError. Never an edit that changes another task.
 */
/** Boards on which no status edit can be made, and why: pinned, so a change shows. */
const ALL_REFUSED: Record<string, string> = {
  'real/Dae2004-Incidents-Kanban-KANBAN.md': 'every card is a row of a table in the Done lane, and no other lane has a table to move a row into',
};

describe('task board: every status edit on every real board changes only that task', function () {
  this.timeout(120_000);
  for (const { name, text } of allBoards()) {
    it(ALL_REFUSED[name] ? `${name} (refuses every status edit: ${ALL_REFUSED[name]})` : name, () => {
      const board = read(text);
      // Derived ids of identical titles are numbered in board order, so a move may swap them: only ids of their own are followed.
      const own = board.tasks.filter(
        (t) => board.tasks.filter((u) => u.id === t.id).length === 1 && !/^h-[0-9a-f]{6}-\d+$/.test(t.id) && !board.tasks.some((u) => u.id === `${t.id}-2`),
      );
      let made = 0;
      for (const task of own.slice(0, 40)) {
        for (const status of TASK_STATUSES.filter((s) => s !== task.status)) {
          let after: string;
          try {
            after = applyEdit(board, { op: 'status', id: task.id, status }, read);
          } catch (error) {
            assert.ok(error instanceof BoardEditError, String(error));
            continue;
          }
          made++;
          const reread = read(after);
          assert.equal(reread.tasks.length, board.tasks.length, `${task.id} → ${status}: the count`);
          assert.equal(reread.tasks.find((t) => t.id === task.id)?.status, status);
          for (const other of own.filter((t) => t.id !== task.id && t.parent !== task.id)) {
            const again = reread.tasks.find((t) => t.id === other.id);
            assert.ok(again && again.status === other.status, `${task.id} → ${status} changed ${other.id}`);
            assert.equal(
              after.slice(again.firstLine.start, again.firstLine.end),
              text.slice(other.firstLine.start, other.firstLine.end),
              `${task.id} → ${status} changed ${other.id}'s line`,
            );
          }
        }
      }
      if (ALL_REFUSED[name]) assert.equal(made, 0);
      else if (own.length > 0) assert.ok(made > 0, 'at least one edit is possible');
    });
  }
});
