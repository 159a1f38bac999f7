import type { Board, Task } from './board';

// The ready queue: which tasks can be taken now, in board order, and why the others cannot.

/** Why a todo task is not ready: the dependencies it waits for, or someone else has it. */
export interface Waiting {
  id: string;
  /** Dependencies not done yet (ids not on the board count as not done). */
  on: string[];
  /** Assigned to others (not to the caller). */
  takenBy: string[];
}

export interface Queue {
  /** Ready tasks in board order: todo, every dependency done, unassigned or the caller's. */
  ready: Task[];
  /** Todo tasks that are not ready, in board order, and why. */
  waiting: Waiting[];
}

/**
 * A task is ready for `user` when it is todo, every task it depends on is done, and nobody else
 * has it. Subtasks go with their parent (the parent's goal lists them), so only top-level tasks
 * are offered. With duplicate ids, the first task of an id is the one a dependency means.
 */
export function readyQueue(board: Board, user: string): Queue {
  const byId = new Map<string, Task>();
  for (const task of board.tasks) if (!byId.has(task.id)) byId.set(task.id, task);
  const me = user.toLowerCase();
  const queue: Queue = { ready: [], waiting: [] };
  for (const task of board.tasks) {
    if (task.status !== 'todo' || task.parent !== null || byId.get(task.id) !== task) continue;
    const on = task.dependsOn.filter((id) => byId.get(id)?.status !== 'done');
    const takenBy = task.assignees.filter((a) => a.toLowerCase() !== me);
    // Assigned to the caller and to others: the caller's too, so it is theirs to take.
    const others = takenBy.length > 0 && takenBy.length === task.assignees.length;
    if (on.length === 0 && !others) queue.ready.push(task);
    else queue.waiting.push({ id: task.id, on, takenBy: others ? takenBy : [] });
  }
  return queue;
}

/** One line on why nothing is ready, for a person: counts and the first examples. */
export function nothingReady(queue: Queue): string {
  const todo = queue.waiting.length;
  if (todo === 0) return 'no task is todo';
  const blocked = queue.waiting.filter((w) => w.on.length > 0);
  const taken = queue.waiting.filter((w) => w.on.length === 0 && w.takenBy.length > 0);
  const parts: string[] = [];
  if (blocked.length > 0)
    parts.push(
      `${blocked.length} wait${blocked.length === 1 ? 's' : ''} on unfinished dependencies (${blocked
        .slice(0, 3)
        .map((w) => `${w.id} on ${w.on.join(', ')}`)
        .join('; ')}${blocked.length > 3 ? '; …' : ''})`,
    );
  if (taken.length > 0)
    parts.push(
      `${taken.length} ${taken.length === 1 ? 'is' : 'are'} assigned to others (${taken
        .slice(0, 3)
        .map((w) => `${w.id} to @${w.takenBy.join(' @')}`)
        .join('; ')}${taken.length > 3 ? '; …' : ''})`,
    );
  return `none of the ${todo} todo task${todo === 1 ? '' : 's'} is ready: ${parts.join('; ')}`;
}
