import type { TaskInfo, TaskStatusName } from '../../server/protocol';
import { h } from '../dom';
import { Methods, Notices } from '../methods';
import type { PageContext } from '../page';
import { RpcError } from '../rpc';

const COLUMNS: { status: TaskStatusName | 'other'; title: string }[] = [
  { status: 'todo', title: 'Todo' },
  { status: 'in_progress', title: 'In progress' },
  { status: 'review', title: 'Review' },
  { status: 'blocked', title: 'Blocked' },
  { status: 'done', title: 'Done' },
  { status: 'other', title: 'Other' },
];
const SETTABLE: TaskStatusName[] = ['todo', 'in_progress', 'review', 'blocked', 'done'];

/** Board: a repository's board grouped by status, with counts; a card's status changes by `tasks/update`. */
export async function boardPage(context: PageContext): Promise<() => void> {
  const file = context.params.get('file') ?? '';
  const form = h('form', { class: 'board-picker', role: 'search' });
  const input = h('input', { id: 'board-file', name: 'file', type: 'text', value: file, placeholder: '/home/you/project/docs/TASKS.md', spellcheck: 'false', size: '60' });
  form.append(h('label', { for: 'board-file' }, 'Board file'), input, h('button', { type: 'submit', class: 'button' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/board?file=${encodeURIComponent(input.value.trim())}`;
  });
  const region = h('div', { class: 'board-region' });
  context.root.replaceChildren(h('h1', {}, 'Board'), form, region);
  if (file === '') {
    const repos = [...new Set((await context.rpc.request(Methods.sessionList, {})).flatMap((s) => (s.repoRoot ? [s.repoRoot] : [])))];
    region.replaceChildren(
      h('p', {}, 'Give the absolute path of a board (a markdown file such as docs/TASKS.md).'),
      repos.length === 0 ? '' : h('ul', { class: 'links' }, ...repos.map((repo) => h('li', {}, h('a', { href: `#/board?file=${encodeURIComponent(repo + '/docs/TASKS.md')}` }, `${repo}/docs/TASKS.md`)))),
    );
    return () => undefined;
  }
  const load = async (): Promise<void> => {
    try {
      const state = await context.rpc.request(Methods.tasksList, { board: file });
      region.replaceChildren(render(state.tasks, state.warnings, state.version));
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError(-1, String(error), '');
      region.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message, e.hint ? h('br') : null, e.hint));
    }
  };
  const render = (tasks: TaskInfo[], warnings: string[], version: string): HTMLElement => {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const topLevel = tasks.filter((t) => t.parent === null);
    const columns = COLUMNS.map(({ status, title }) => ({ status, title, cards: topLevel.filter((t) => t.status === status) })).filter((c) => c.cards.length > 0 || c.status !== 'other');
    return h(
      'div',
      {},
      warnings.length === 0 ? null : h('ul', { class: 'warnings' }, ...warnings.map((w) => h('li', {}, w))),
      h(
        'div',
        { class: 'columns' },
        ...columns.map((column) => {
          const headingId = `column-${column.status}`;
          return h(
            'section',
            { class: 'column', 'aria-labelledby': headingId, 'data-status': column.status },
            h('h2', { id: headingId }, column.title, ' ', h('span', { class: 'count', 'data-count': String(column.cards.length) }, String(column.cards.length))),
            h('ul', { class: 'cards' }, ...column.cards.map((task) => h('li', {}, card(task, byId, version)))),
          );
        }),
      ),
    );
  };
  const card = (task: TaskInfo, byId: Map<string, TaskInfo>, version: string): HTMLElement => {
    const subtasks = task.children.map((id) => byId.get(id)).filter((t): t is TaskInfo => t !== undefined);
    const done = subtasks.filter((t) => t.status === 'done').length;
    const selectId = `status-${task.id}`;
    const select = h('select', { id: selectId, 'data-task': task.id });
    for (const status of SETTABLE) select.append(h('option', { value: status, selected: status === task.status }, COLUMNS.find((c) => c.status === status)?.title ?? status));
    if (task.status === 'other') select.prepend(h('option', { value: '', selected: true, disabled: true }, task.statusText ?? 'other'));
    select.addEventListener('change', () => {
      const status = select.value as TaskStatusName;
      select.disabled = true;
      context.rpc
        .request(Methods.tasksUpdate, { board: file, version, id: task.id, action: 'status', status })
        .then(() => context.announce(`${task.id} moved to ${status.replace('_', ' ')}`))
        .catch((error: unknown) => context.announce(error instanceof RpcError ? `${error.message}. ${error.hint}` : String(error)))
        .finally(() => void load());
    });
    return h(
      'article',
      { class: 'card', 'data-task': task.id },
      h('p', { class: 'card-title' }, task.explicitId ? h('span', { class: 'task-id' }, task.id) : null, ' ', task.title),
      h(
        'p',
        { class: 'card-meta' },
        task.assignees.length > 0 ? h('span', { class: 'assignee' }, task.assignees.map((a) => `@${a.replace(/^@/, '')}`).join(', ')) : null,
        subtasks.length > 0 ? h('span', { class: 'progress' }, `${done}/${subtasks.length} subtasks`) : null,
      ),
      h('label', { for: selectId, class: 'visually-hidden' }, `Status of ${task.id}`),
      select,
    );
  };
  await load();
  return context.rpc.onNotification(Notices.tasksChanged, (changed) => {
    if (changed.board === file) void load();
  });
}
