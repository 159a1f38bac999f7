import type { TaskInfo, TasksUpdateParams } from '../protocol';
import type { Task } from './board';
import type { BoardEdit } from './edit';

/** A user-level action on a board, as `tasks/update` takes it (without the board and its version). */
export type TaskActionRequest = Omit<TasksUpdateParams, 'board' | 'version'>;

/**
 * One user-level action as the board's surgical edits — the one definition the daemon's
 * `tasks/update`, the board language server and the VS Code board editor share: start = assign
 * to you + in progress; note = a dated note; done and review = the status (+ a note); block =
 * blocked + a dated note with the reason; handoff = assign to them + a dated note; status; add.
 * `missing(message, what)` makes the error for a request without what its action needs.
 */
export function actionEdits(user: string, now: Date, p: TaskActionRequest, missing: (message: string, what: string) => Error): BoardEdit[] {
  const stamp = `${now.toISOString().slice(0, 16).replace('T', ' ')} ${user}`;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw missing(`${p.action} needs ${what}`, what);
    return value;
  };
  if (p.action === 'add') return [{ op: 'add', title: need(p.text, 'the task text') }];
  const id = need(p.id, 'a task id');
  const withNote = (text: string | undefined): BoardEdit[] => (text ? [{ op: 'note', id, text: `${stamp}: ${text}` }] : []);
  switch (p.action) {
    case 'start':
      return [
        { op: 'assign', id, user },
        { op: 'status', id, status: 'in_progress' },
      ];
    case 'note':
      return [{ op: 'note', id, text: `${stamp}: ${need(p.text, 'the note text')}` }];
    case 'done':
      return [{ op: 'status', id, status: 'done' }, ...withNote(p.text)];
    case 'review':
      return [{ op: 'status', id, status: 'review' }, ...withNote(p.text)];
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

/** A task as the protocol lists it (`tasks/list`, `tasks/show`, the kanban). */
export function taskInfo(t: Task): TaskInfo {
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
    dependsOn: t.dependsOn,
  };
}
