import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';
import { TASK_STATUSES } from './states';

export { TASK_STATUSES };
export const TaskStatusName = z.enum(TASK_STATUSES);
export type TaskStatusName = z.infer<typeof TaskStatusName>;
/** A status as read: one of Corral's, or `other` for words Corral does not know (listed, never dropped). */
export const ReadStatusName = z.enum([...TASK_STATUSES, 'other']);
export type ReadStatusName = z.infer<typeof ReadStatusName>;

/** An absolute path to a markdown board on the daemon's host (default: `<repo>/docs/TASKS.md`). */
const BoardPath = z
  .string()
  .check(z.minLength(2), z.maxLength(4096), z.regex(/^\//, 'the board must be an absolute path'), z.regex(/\.(md|markdown)$/i, 'the board must be a .md file'));
const TaskId = z.string().check(z.minLength(1), z.maxLength(200));

export const TaskInfo = z.strictObject({
  id: z.string(),
  /** False when the id was derived from the title (`h-xxxxxx`): give tasks ids to keep them stable. */
  explicitId: z.boolean(),
  title: z.string(),
  /** `other`: the board gives a status in words Corral does not know (see `statusText`); the task is listed, not dropped. */
  status: ReadStatusName,
  /** The status as the board writes it, when `status` is `other`. */
  statusText: z.optional(z.string()),
  /** list item, table row, or heading with a Status field. */
  kind: z.enum(['list', 'table', 'heading']),
  line: z.int(),
  parent: z.nullable(z.string()),
  children: z.array(z.string()),
  assignees: z.array(z.string()),
  tags: z.array(z.string()),
  section: z.nullable(z.string()),
  /** The ids it waits for ("after T-3", `- depends: T-3`, a Depends column): ready only when all are done. */
  dependsOn: z.array(z.string()),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const BoardState = z.strictObject({
  board: z.string(),
  /** Changes whenever the file's bytes change; edits name the version they were based on. */
  version: z.string(),
  warnings: z.array(z.string()),
});
export type BoardState = z.infer<typeof BoardState>;

export const TasksListParams = z.strictObject({
  board: BoardPath,
  status: z.optional(ReadStatusName),
  assignee: z.optional(z.string().check(z.maxLength(100))),
});
/** `tasks/list`: the board's tasks (filtered), read as they are written; starts watching the board for you. */
export const TasksList = new CorralRequest('tasks/list', TasksListParams, z.extend(BoardState, { tasks: z.array(TaskInfo) }));

export const TasksShowParams = z.strictObject({ board: BoardPath, id: TaskId });
/** `tasks/show`: one task, its source lines and its subtasks; an unknown id suggests the closest. */
export const TasksShow = new CorralRequest('tasks/show', TasksShowParams, z.extend(BoardState, { task: TaskInfo, source: z.string(), subtasks: z.array(TaskInfo) }));

export const TasksUpdateParams = z.strictObject({
  board: BoardPath,
  /** The version the change was decided on; when the file changed since, the change is made again on the new content if it still applies. */
  version: z.optional(z.string().check(z.maxLength(64))),
  id: z.optional(TaskId),
  /** start: assign to you, in progress · note · done · block (with a reason) · handoff (to someone, with a note) · status · add (a new task, `title`). */
  action: z.enum(['start', 'note', 'done', 'block', 'handoff', 'status', 'review', 'add']),
  text: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  to: z.optional(z.string().check(z.regex(/^@?[A-Za-z0-9_][\w.-]*$/, 'a user name'))),
  status: z.optional(TaskStatusName),
});
export type TasksUpdateParams = z.infer<typeof TasksUpdateParams>;
/** `tasks/update`: one change to the board, made surgically; answers with the task as it now is. */
export const TasksUpdate = new CorralRequest('tasks/update', TasksUpdateParams, z.extend(BoardState, { task: z.nullable(TaskInfo), reapplied: z.boolean() }));

const TasksInitParams = z.strictObject({ board: BoardPath });
/** `tasks/init`: writes a starter board; refused when the file exists. */
export const TasksInit = new CorralRequest('tasks/init', TasksInitParams, BoardState);

/** `tasks/changed`: a board you looked at changed on disk (an edit, a person typing, a `git pull`). */
export const TasksChanged = new CorralNotification('tasks/changed', z.strictObject({ board: z.string(), version: z.string() }));
