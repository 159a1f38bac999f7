import type { Board, Task } from '../../tasks/board';
import { WORD_FOR, type TaskStatus } from '../../tasks/status';
import { nextFreeId } from './completion';
import { BoardEditError, changeBetween, editedText, editsFor } from './edits';
import type { BoardAction, Range } from './types';

type RangeOf = (start: number, end: number) => Range;

/**
 * Code actions on a task: give it an id (a task without one has an id derived from its title,
 * which changes when the title does), mark it done, move it to another lane — each the board's
 * own surgical edit, as a change of the open text. An edit the board cannot make is not offered.
 */
export function taskActions(board: Board, task: Task, reread: (text: string) => Board, rangeOf: RangeOf, user: string, now: Date): BoardAction[] {
  const actions: BoardAction[] = [];
  if (!task.explicitId) {
    const id = nextFreeId(board);
    const at = titleStart(board, task);
    if (id !== undefined && at !== undefined) actions.push({ title: `Give this task the id ${id}`, kind: 'quickfix', changes: [{ range: rangeOf(at, at), newText: `${id} ` }] });
  }
  const attempt = (title: string, kind: BoardAction['kind'], status: TaskStatus, fixes?: string[]): void => {
    try {
      const text = editedText(board, editsFor(task.id, { action: 'status', status }, user, now), reread);
      // A task that already has the status moves nowhere: the board's edit leaves it where it is.
      if (text === board.text) return;
      actions.push({ title, kind, changes: changeBetween(board.text, text, rangeOf), ...(fixes ? { fixes } : {}) });
    } catch (error) {
      if (!(error instanceof BoardEditError)) throw error;
    }
  };
  if (task.status !== 'done') attempt(`Mark ${task.id} done`, 'quickfix', 'done');
  const lane = task.lane === undefined ? undefined : board.headings[task.lane];
  if (lane) {
    const seen = new Set<TaskStatus>();
    for (const h of board.headings) {
      if (h.status === undefined || h.inherited || h === lane || seen.has(h.status)) continue;
      seen.add(h.status);
      // The lane that shows the task's own status fixes a status-not-shown diagnostic.
      attempt(
        `Move ${task.id} to "${h.text}" (${WORD_FOR[h.status]})`,
        h.status === task.status ? 'quickfix' : 'refactor',
        h.status,
        h.status === task.status ? ['status-not-shown'] : undefined,
      );
    }
  }
  return actions;
}

/** Where a task's title starts on its first line: after the bullet and box, the heading marks, in the title cell. */
function titleStart(board: Board, task: Task): number | undefined {
  if (task.kind === 'table') return task.titleText?.start;
  const line = board.text.slice(task.firstLine.start, task.firstLine.end);
  if (task.kind === 'heading') return task.firstLine.start + /^\s*#*\s*/.exec(line)![0].length;
  const lead = /^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[^\]]\][ \t]+)?(?:~~)?/.exec(line);
  return lead ? task.firstLine.start + lead[0].length : undefined;
}
