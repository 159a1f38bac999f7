import { actionEdits, type TaskActionRequest } from '../../tasks/actions';
import type { Board } from '../../tasks/board';
import { applyEdit, BoardEditError, type BoardEdit } from '../../tasks/edit';
import type { TaskStatus } from '../../tasks/status';
import type { Range, TextChange } from './types';

/** What a person asks of a task from the editor: the board service's actions, on the open text. */
export type TaskAction =
  | { action: 'done' | 'start' | 'review' }
  | { action: 'status'; status: TaskStatus }
  | { action: 'block'; reason: string }
  | { action: 'note'; text: string }
  | { action: 'handoff'; to: string; text?: string };

/** The board's surgical edits (server/tasks/edit.ts) for an action, exactly as TasksService makes them. */
export function editsFor(id: string, request: TaskAction, user: string, now: Date): BoardEdit[] {
  const p: TaskActionRequest = request.action === 'block' ? { id, action: 'block', text: request.reason } : { id, ...request };
  return actionEdits(user, now, p, (message) => new BoardEditError(message));
}

/**
 * The new text of the board after the edits, each checked by reading the result again (a status
 * the board cannot show is refused with the reason). Throws BoardEditError.
 */
export function editedText(board: Board, edits: BoardEdit[], reread: (text: string) => Board): string {
  let current = board;
  let text = board.text;
  for (const edit of edits) {
    text = applyEdit(current, edit, reread);
    current = reread(text);
  }
  return text;
}

/** One replacement from `before` to `after`: their common start and end kept. */
export function changeBetween(before: string, after: string, rangeOf: (start: number, end: number) => Range): TextChange[] {
  if (before === after) return [];
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return [{ range: rangeOf(start, before.length - end), newText: after.slice(start, after.length - end) }];
}

export { BoardEditError };
