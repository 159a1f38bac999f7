import type { TaskInfo } from '../../server/protocol';
import { h, money } from '../dom';
import { columnsOf, matches, openDependencies, type Column, type Filter, type KanbanData } from './model';

/** Element ids must not carry a task id's characters: columns and cards are numbered. */
export const HELP_ID = 'kanban-help';

/** What the board looks like now: the UI state the webview keeps (never the board itself). */
export interface ViewState {
  filter: Filter;
  collapsed: ReadonlySet<string>;
}

/** Card items by task id with what they showed: a new reading reuses those that did not change. */
export type CardCache = Map<string, { signature: string; item: HTMLElement }>;

/** Cards still to add to a column after the first screenful (see `renderColumns`). */
export interface Pending {
  list: HTMLElement;
  tasks: TaskInfo[];
}

/**
 * The kanban's DOM for one reading of the board. Cards carry `data-task`, columns `data-status`;
 * listeners sit on the board's root (see moves.ts), not on each of thousands of cards. Each
 * column gets its first `first` cards now, the rest are returned as pending (the caller adds them
 * a frame at a time), so the first screen shows at once on a board of thousands of cards.
 */
export function renderColumns(
  data: KanbanData,
  view: ViewState,
  cache: CardCache,
  first: number,
): { element: HTMLElement; columns: Column[]; pending: Pending[]; card: (task: TaskInfo) => HTMLElement } {
  const byId = new Map(data.tasks.map((t) => [t.id, t]));
  const columns = columnsOf(data.tasks).filter((c) => c.cards.length > 0 || c.status !== 'other');
  const element = h('div', { class: 'columns kanban-columns' });
  const card = (task: TaskInfo): HTMLElement => {
    const signature = signatureOf(task, byId, data);
    const cached = cache.get(task.id);
    const item = cached?.signature === signature ? cached.item : h('li', { class: 'card-item' }, cardOf(task, byId, data));
    cache.set(task.id, { signature, item });
    return item;
  };
  const pending: Pending[] = [];
  columns.forEach((column, index) => {
    const collapsed = view.collapsed.has(column.status);
    const visible = column.cards.filter((t) => matches(t, view.filter));
    const filtered = visible.length !== column.cards.length;
    const headingId = `kanban-col-${index}`;
    const listId = `kanban-cards-${index}`;
    const count = h(
      'span',
      { class: 'count', 'data-count': String(visible.length), 'aria-label': filtered ? `${visible.length} of ${column.cards.length} cards` : `${visible.length} cards` },
      filtered ? `${visible.length}/${column.cards.length}` : String(visible.length),
    );
    const toggle = h(
      'button',
      { type: 'button', class: 'column-toggle', 'aria-expanded': collapsed ? 'false' : 'true', 'aria-controls': listId, 'data-collapse': column.status },
      h('span', { class: 'chevron', 'aria-hidden': 'true' }, collapsed ? '▸' : '▾'),
      ' ',
      column.title,
      ' ',
      count,
    );
    const list = h('ul', { class: 'cards', id: listId, 'aria-labelledby': headingId, 'data-status': column.status, hidden: collapsed });
    const fragment = document.createDocumentFragment();
    for (const task of visible.slice(0, first)) fragment.append(card(task));
    list.append(fragment);
    if (visible.length > first) pending.push({ list, tasks: visible.slice(first) });
    element.append(
      h('section', { class: collapsed ? 'column collapsed' : 'column', 'data-status': column.status, 'data-title': column.title }, h('h2', { id: headingId }, toggle), list),
    );
  });
  // Forget the cards of tasks no longer on the board.
  for (const id of cache.keys()) if (!byId.has(id)) cache.delete(id);
  return { element, columns, pending, card };
}

/** Everything a card shows: equal signatures, equal cards. */
function signatureOf(task: TaskInfo, byId: ReadonlyMap<string, TaskInfo>, data: KanbanData): string {
  const done = task.children.filter((id) => byId.get(id)?.status === 'done').length;
  return JSON.stringify([
    task.title,
    task.explicitId,
    task.status,
    task.statusText ?? '',
    task.assignees,
    task.tags,
    task.children.length,
    done,
    openDependencies(task, byId),
    (task as TaskInfo & { dependsOn?: string[] }).dependsOn ?? [],
    data.costs.get(task.id) ?? 0,
    data.running.has(task.id),
  ]);
}

function cardOf(task: TaskInfo, byId: ReadonlyMap<string, TaskInfo>, data: KanbanData): HTMLElement {
  const subtasks = task.children.map((id) => byId.get(id)).filter((t): t is TaskInfo => t !== undefined);
  const done = subtasks.filter((t) => t.status === 'done').length;
  const waiting = openDependencies(task, byId);
  const deps = (task as TaskInfo & { dependsOn?: string[] }).dependsOn ?? [];
  const cost = data.costs.get(task.id);
  const running = data.running.has(task.id);
  const label = `${task.explicitId ? `${task.id} ` : ''}${task.title}`;
  return h(
    'article',
    { class: 'card', tabindex: '-1', draggable: 'true', 'data-task': task.id, 'aria-roledescription': 'card', 'aria-label': label, 'aria-describedby': HELP_ID },
    h('p', { class: 'card-title' }, task.explicitId ? h('span', { class: 'task-id' }, task.id) : null, ' ', shownTitle(task)),
    h(
      'p',
      { class: 'card-meta' },
      task.assignees.length > 0 ? h('span', { class: 'assignee' }, task.assignees.map((a) => `@${a.replace(/^@/, '')}`).join(', ')) : null,
      ...task.tags.map((tag) => h('span', { class: 'tag' }, `#${tag.replace(/^#/, '')}`)),
      subtasks.length > 0 ? h('span', { class: 'progress' }, `${done}/${subtasks.length} subtasks`) : null,
      deps.length > 0 && waiting.length === 0 ? h('span', { class: 'deps' }, `after ${deps.join(', ')}`) : null,
      waiting.length > 0 && task.status !== 'done' ? h('span', { class: 'badge badge-blocked' }, `blocked by ${waiting.join(', ')}`) : null,
      task.status === 'other' && task.statusText ? h('span', { class: 'badge' }, task.statusText) : null,
      cost !== undefined && cost > 0 ? h('span', { class: 'cost' }, money(cost)) : null,
      running ? h('span', { class: 'badge badge-running' }, 'running') : null,
    ),
    h(
      'button',
      { type: 'button', class: 'card-actions', tabindex: '-1', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': `Actions for ${task.id}`, 'data-actions': task.id },
      '⋯',
    ),
  );
}

/** The title without the `@names` and `#tags` the card shows below it anyway. */
function shownTitle(task: TaskInfo): string {
  const shown = new Set([...task.assignees.map((a) => `@${a.replace(/^@/, '')}`), ...task.tags.map((t) => `#${t.replace(/^#/, '')}`)].map((w) => w.toLowerCase()));
  const title = task.title.replace(/(^|\s)([@#][\w./-]+)(?=\s|$)/g, (whole, _space: string, word: string) => (shown.has(word.toLowerCase()) ? '' : whole)).trim();
  return title === '' ? task.title : title;
}
