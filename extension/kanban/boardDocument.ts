// The board's own reader and surgical edit code (server/tasks, plain TypeScript without I/O),
// bundled into the extension: the board editor edits the open document's text, not the file.
import { actionEdits, taskInfo, type TaskActionRequest } from '../../server/tasks/actions';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError, type BoardEdit } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import type { BoardState, TaskInfo } from '../../server/protocol';

export { BoardEditError };

export function parseBoard(text: string): Board {
  return readBoard(text, markdownParser());
}

/** What `tasks/list` answers for a document: its tasks as the daemon would list the same text. */
export function listDocument(board: string, version: string, text: string): BoardState & { tasks: TaskInfo[] } {
  const read = parseBoard(text);
  return { board, version, warnings: read.warnings, tasks: read.tasks.map(taskInfo) };
}

/** One user-level action as board edits, exactly as the daemon's `tasks/update` makes them. */
export function editsFor(user: string, now: Date, p: TaskActionRequest): BoardEdit[] {
  return actionEdits(user, now, p, (message) => new BoardEditError(message));
}

/** The text with the edits made one after another, each checked by reading the result (throws BoardEditError). */
export function editedText(text: string, edits: readonly BoardEdit[]): string {
  let board = parseBoard(text);
  let out = text;
  for (const edit of edits) {
    let next: Board | undefined;
    out = applyEdit(board, edit, (t) => (next = parseBoard(t)));
    board = next ?? parseBoard(out);
  }
  return out;
}
