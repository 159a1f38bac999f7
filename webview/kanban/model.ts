import type { TaskInfo, TaskStatusName } from '../../server/protocol';
import { TASK_STATUSES } from '../../server/protocol/states';

/** What the kanban shows: the board's tasks as the host read them, and what the daemon adds. */
export interface KanbanData {
  board: string;
  version: string;
  tasks: TaskInfo[];
  warnings: string[];
  /** Cost so far per task id (USD), from the daemon's ledger; empty when unknown. */
  costs: ReadonlyMap<string, number>;
  /** Tasks an agent run works on now. */
  running: ReadonlySet<string>;
}

export type ColumnStatus = TaskStatusName | 'other';

export interface Column {
  status: ColumnStatus;
  title: string;
  cards: TaskInfo[];
}

export interface Filter {
  text: string;
  assignee: string;
  tag: string;
}

const TITLES: Record<ColumnStatus, string> = { todo: 'Todo', in_progress: 'In progress', review: 'Review', blocked: 'Blocked', done: 'Done', other: 'Other' };
const CANONICAL: ColumnStatus[] = [...TASK_STATUSES];

/** A task's dependencies when the host reads them (`dependsOn`, issue 14 item 2); none otherwise. */
export function dependenciesOf(task: TaskInfo): string[] {
  const deps = (task as TaskInfo & { dependsOn?: unknown }).dependsOn;
  return Array.isArray(deps) ? deps.filter((d): d is string => typeof d === 'string') : [];
}

/**
 * The columns in the board's own order: a status comes where its first card sits in the file (a
 * lane board reads left to right as its sections go down), the statuses it has no card of after,
 * in Corral's order, so a card can be dropped there. A column is named as the board names it when
 * all its cards sit in one section (its lane), else by the status. `other` only when used.
 */
export function columnsOf(tasks: readonly TaskInfo[]): Column[] {
  const cards = tasks.filter((t) => t.parent === null).sort((a, b) => a.line - b.line);
  const order: ColumnStatus[] = [];
  for (const task of cards) if (!order.includes(task.status)) order.push(task.status);
  for (const status of CANONICAL) if (!order.includes(status)) order.push(status);
  return order.map((status) => {
    const mine = cards.filter((t) => t.status === status);
    const sections = new Set(mine.map((t) => t.section));
    const lane = sections.size === 1 ? [...sections][0] : null;
    return { status, title: lane && status !== 'other' && lane.length <= 40 ? lane : TITLES[status], cards: mine };
  });
}

/** Whether a card passes the filter: words in its id or title, an assignee, a tag (case-insensitive). */
export function matches(task: TaskInfo, filter: Filter): boolean {
  const text = filter.text.trim().toLowerCase();
  if (text !== '' && !`${task.id} ${task.title}`.toLowerCase().includes(text)) return false;
  const who = filter.assignee.replace(/^@/, '').toLowerCase();
  if (who !== '' && !task.assignees.some((a) => a.replace(/^@/, '').toLowerCase() === who)) return false;
  const tag = filter.tag.replace(/^#/, '').toLowerCase();
  if (tag !== '' && !task.tags.some((t) => t.replace(/^#/, '').toLowerCase() === tag)) return false;
  return true;
}

/** The assignees and tags on the board, for the filter's choices. */
export function facets(tasks: readonly TaskInfo[]): { assignees: string[]; tags: string[] } {
  const assignees = new Set<string>();
  const tags = new Set<string>();
  for (const task of tasks) {
    for (const a of task.assignees) assignees.add(a.replace(/^@/, ''));
    for (const t of task.tags) tags.add(t.replace(/^#/, ''));
  }
  return { assignees: [...assignees].sort(), tags: [...tags].sort() };
}

/** Dependencies not done yet (unknown ids count as not done: the board must say they are). */
export function openDependencies(task: TaskInfo, byId: ReadonlyMap<string, TaskInfo>): string[] {
  return dependenciesOf(task).filter((id) => byId.get(id)?.status !== 'done');
}

/** The first ready task in board order: todo, every dependency done, unassigned or mine. */
export function nextReady(tasks: readonly TaskInfo[], user: string): TaskInfo | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return [...tasks]
    .sort((a, b) => a.line - b.line)
    .find((t) => t.status === 'todo' && openDependencies(t, byId).length === 0 && (t.assignees.length === 0 || t.assignees.some((a) => a.replace(/^@/, '') === user)));
}

export function statusTitle(status: ColumnStatus): string {
  return TITLES[status];
}
