// The board's own reader and surgical edit code (server/tasks, plain TypeScript without I/O),
// bundled into the extension: the board editor edits the open document's text, not the file.
import { readBoard, type Board, type Task } from '../../server/tasks/board';
import { applyEdit, BoardEditError, type BoardEdit } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import type { BoardState, TaskInfo, TasksUpdateParams } from '../../server/protocol';

export { BoardEditError };

export function parseBoard(text: string): Board {
  return readBoard(text, markdownParser());
}

/** What `tasks/list` answers for a document: its tasks as the daemon would list the same text. */
export function listDocument(board: string, version: string, text: string): BoardState & { tasks: TaskInfo[] } {
  const read = parseBoard(text);
  return { board, version, warnings: read.warnings, tasks: read.tasks.map(info) };
}

function info(t: Task): TaskInfo {
  // Dependencies as the reader finds them (issue 14 item 2), none from a reader without them.
  const dependsOn: string[] = (t as { dependsOn?: string[] }).dependsOn ?? [];
  return {
    id: t.id,
    explicitId: t.explicitId,
    title: t.title,
    status: t.status,
    ...(t.otherStatus !== undefined ? { statusText: t.otherStatus } : {}),
    kind: t.kind,
    line: t.line,
    parent: t.parent,
    children: t.children,
    assignees: t.assignees,
    tags: t.tags,
    section: t.section,
    ...{ dependsOn },
  };
}

/**
 * One user-level action as board edits, as the daemon's `tasks/update` makes them (start: assign
 * and in progress; block: blocked and a dated note with the reason; …).
 */
export function editsFor(user: string, now: Date, p: Omit<TasksUpdateParams, 'board' | 'version'>): BoardEdit[] {
  const stamp = `${now.toISOString().slice(0, 16).replace('T', ' ')} ${user}`;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new BoardEditError(`${p.action} needs ${what}`);
    return value;
  };
  if (p.action === 'add') return [{ op: 'add', title: need(p.text, 'the task text') }];
  const id = need(p.id, 'a task id');
  switch (p.action) {
    case 'start':
      return [
        { op: 'assign', id, user },
        { op: 'status', id, status: 'in_progress' },
      ];
    case 'note':
      return [{ op: 'note', id, text: `${stamp}: ${need(p.text, 'the note text')}` }];
    case 'done':
      return [{ op: 'status', id, status: 'done' }, ...(p.text ? [{ op: 'note' as const, id, text: `${stamp}: ${p.text}` }] : [])];
    case 'review':
      return [{ op: 'status', id, status: 'review' }, ...(p.text ? [{ op: 'note' as const, id, text: `${stamp}: ${p.text}` }] : [])];
    case 'block':
      return [
        { op: 'status', id, status: 'blocked' },
        { op: 'note', id, text: `${stamp}: blocked: ${need(p.text, 'a reason')}` },
      ];
    case 'handoff': {
      const to = need(p.to, 'who takes it').replace(/^@/, '');
      return [
        { op: 'assign', id, user: to },
        { op: 'note', id, text: `${stamp}: handed off to @${to}${p.text ? `: ${p.text}` : ''}` },
      ];
    }
    case 'status':
      return [{ op: 'status', id, status: need(p.status, 'a status') }];
  }
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
