import * as z from 'zod/mini';
import { CorralRequest } from './base';
import { TaskInfo } from './tasks';

// The board's ready queue: the first task that can be taken now, and taking it in one step.

/** An absolute path to a markdown board on the daemon's host (as `tasks/*` take it). */
const BoardPath = z
  .string()
  .check(z.minLength(2), z.maxLength(4096), z.regex(/^\//, 'the board must be an absolute path'), z.regex(/\.(md|markdown)$/i, 'the board must be a .md file'));

/** A task as `tasks/list` gives it, with the ids it depends on. */
const QueuedTask = TaskInfo;

/** A todo task that is not ready, and why: dependencies not done yet, or assigned to others. */
export const WaitingTask = z.strictObject({
  id: z.string(),
  /** Its dependencies that are not done (an id not on the board counts as not done). */
  on: z.array(z.string()),
  /** The others it is assigned to (empty when it is unassigned or yours too). */
  takenBy: z.array(z.string()),
});
export type WaitingTask = z.infer<typeof WaitingTask>;

const QueueFields = {
  board: z.string(),
  /** The board's version after the call (after the claim's edit, for `tasks/claimNext`). */
  version: z.string(),
  warnings: z.array(z.string()),
  /** How many tasks are ready besides the one answered. */
  moreReady: z.number(),
  /** Todo tasks that are not ready, in board order. */
  waiting: z.array(WaitingTask),
  /** When `task` is null: why nothing is ready, for a person. */
  reason: z.optional(z.string()),
};

const TasksNextParams = z.strictObject({ board: BoardPath });
export const TasksNextResult = z.strictObject({
  ...QueueFields,
  /** The first ready task in board order (todo, every dependency done, unassigned or yours); null when none is. */
  task: z.nullable(QueuedTask),
});
export type TasksNextResult = z.infer<typeof TasksNextResult>;
/** `tasks/next`: the first ready task of the board, without taking it. */
export const TasksNext = new CorralRequest('tasks/next', TasksNextParams, TasksNextResult);

const TasksClaimNextParams = z.strictObject({ board: BoardPath });
export const TasksClaimNextResult = z.strictObject({
  ...QueueFields,
  /** The task claimed, as it now stands (assigned to you, in progress); null when none was ready. */
  task: z.nullable(QueuedTask),
});
export type TasksClaimNextResult = z.infer<typeof TasksClaimNextResult>;
/**
 * `tasks/claimNext`: picks the first ready task and claims it (the `start` edit: assigned to you,
 * in progress) in one step under the board's lock, so two callers at once get different tasks.
 */
export const TasksClaimNext = new CorralRequest('tasks/claimNext', TasksClaimNextParams, TasksClaimNextResult);
