import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

export const TASK_STATUSES = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const;
export type TaskStatusName = (typeof TASK_STATUSES)[number];

/** An absolute path to a markdown board on the daemon's host (default: `<repo>/docs/TASKS.md`). */
const BoardPath = z.string().check(z.minLength(2), z.maxLength(4096), z.regex(/^\//, 'the board must be an absolute path'), z.regex(/\.(md|markdown)$/i, 'the board must be a .md file'));
const TaskId = z.string().check(z.minLength(1), z.maxLength(200));

export interface TaskInfo {
  id: string;
  /** False when the id was derived from the title (`h-xxxxxx`): give tasks ids to keep them stable. */
  explicitId: boolean;
  title: string;
  /** `other`: the board gives a status in words Corral does not know (see `statusText`); the task is listed, not dropped. */
  status: TaskStatusName | 'other';
  /** The status as the board writes it, when `status` is `other`. */
  statusText?: string;
  /** list item, table row, or heading with a Status field. */
  kind: 'list' | 'table' | 'heading';
  line: number;
  parent: string | null;
  children: string[];
  assignees: string[];
  tags: string[];
  section: string | null;
  /** The ids it waits for ("after T-3", `- depends: T-3`, a Depends column): ready only when all are done. */
  dependsOn: string[];
}

export interface BoardState {
  board: string;
  /** Changes whenever the file's bytes change; edits name the version they were based on. */
  version: string;
  warnings: string[];
}

export const TasksListParams = z.strictObject({
  board: BoardPath,
  status: z.optional(z.enum([...TASK_STATUSES, 'other'])),
  assignee: z.optional(z.string().check(z.maxLength(100))),
});
/** `tasks/list`: the board's tasks (filtered), read as they are written; starts watching the board for you. */
export const TasksList = new CorralRequest<typeof TasksListParams, BoardState & { tasks: TaskInfo[] }>('tasks/list', TasksListParams);

export const TasksShowParams = z.strictObject({ board: BoardPath, id: TaskId });
/** `tasks/show`: one task, its source lines and its subtasks; an unknown id suggests the closest. */
export const TasksShow = new CorralRequest<typeof TasksShowParams, BoardState & { task: TaskInfo; source: string; subtasks: TaskInfo[] }>('tasks/show', TasksShowParams);

export const TasksUpdateParams = z.strictObject({
  board: BoardPath,
  /** The version the change was decided on; when the file changed since, the change is made again on the new content if it still applies. */
  version: z.optional(z.string().check(z.maxLength(64))),
  id: z.optional(TaskId),
  /** start: assign to you, in progress · note · done · block (with a reason) · handoff (to someone, with a note) · status · add (a new task, `title`). */
  action: z.enum(['start', 'note', 'done', 'block', 'handoff', 'status', 'review', 'add']),
  text: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  to: z.optional(z.string().check(z.regex(/^@?[A-Za-z0-9_][\w.-]*$/, 'a user name'))),
  status: z.optional(z.enum(TASK_STATUSES)),
});
export type TasksUpdateParams = z.infer<typeof TasksUpdateParams>;
/** `tasks/update`: one change to the board, made surgically; answers with the task as it now is. */
export const TasksUpdate = new CorralRequest<typeof TasksUpdateParams, BoardState & { task: TaskInfo | null; reapplied: boolean }>('tasks/update', TasksUpdateParams);

const TasksInitParams = z.strictObject({ board: BoardPath });
/** `tasks/init`: writes a starter board; refused when the file exists. */
export const TasksInit = new CorralRequest<typeof TasksInitParams, BoardState>('tasks/init', TasksInitParams);

/** `tasks/changed`: a board you looked at changed on disk (an edit, a person typing, a `git pull`). */
export const TasksChanged = new CorralNotification<{ board: string; version: string }>('tasks/changed');
