import type { TaskInfo, TaskStatusName } from '../../server/protocol';
import { h } from '../dom';
import { closeMenus, openMenu, type CardAction } from '../kanban/actions';
import { HELP_ID, renderColumns, type ViewState } from '../kanban/cards';
import { facets, nextReady, statusTitle, type ColumnStatus, type KanbanData } from '../kanban/model';
import { attachMoves } from '../kanban/moves';
import { Methods, Notices } from '../methods';
import { RpcError, type RpcClient } from '../rpc';

export interface KanbanOptions {
  rpc: RpcClient;
  /** The board file (absolute path), as `tasks/list` and `tasks/update` take it. */
  board: string;
  /** Who is looking: "run next" takes tasks unassigned or theirs. */
  user: string;
  /** The kanban's region: it owns the children. */
  root: HTMLElement;
  announce(text: string): void;
  /** Told after each rendering: the board version shown and the milliseconds the DOM took. */
  onRendered?(version: string, ms: number): void;
}

/**
 * The kanban over a board: one code for the browser app (the daemon reads and edits the file) and
 * the VS Code board editor (the extension answers the same methods from the open document). Moves
 * and card actions are `tasks/update` calls naming the version they were decided on; the host
 * makes them as the board's surgical edits, or refuses with a message and changes nothing.
 * `tasks/changed` brings the board in again. Returns a function that stops it.
 */
export async function mountKanban(options: KanbanOptions): Promise<() => void> {
  const { rpc, board, root } = options;
  const view: { filter: ViewState['filter']; collapsed: Set<string> } = { filter: { text: '', assignee: '', tag: '' }, collapsed: new Set() };
  let data: KanbanData | undefined;
  let stopped = false;
  const running = new Set<string>();

  const text = h('input', { id: 'kanban-filter', type: 'search', placeholder: 'id, title…', spellcheck: 'false', autocomplete: 'off' });
  const assignee = h('select', { id: 'kanban-assignee' });
  const tag = h('select', { id: 'kanban-tag' });
  const runNext = h('button', { type: 'button', class: 'button', id: 'kanban-run-next' }, 'Run next ready task');
  const toolbar = h(
    'div',
    { class: 'kanban-toolbar', role: 'search', 'aria-label': 'Filter cards' },
    h('label', { for: 'kanban-filter' }, 'Filter'),
    text,
    h('label', { for: 'kanban-assignee' }, 'Assignee'),
    assignee,
    h('label', { for: 'kanban-tag' }, 'Tag'),
    tag,
    runNext,
  );
  const problems = h('div', { class: 'kanban-problems' });
  // What went wrong with the last thing asked (a refused move): kept until the next thing asked.
  const alert = h('div', { class: 'kanban-alert' });
  const area = h('div', { class: 'kanban-area' });
  const help = h('p', { id: HELP_ID, class: 'visually-hidden' }, 'Space or Enter picks the card up; the arrow keys move it between columns; Space or Enter drops it, Escape cancels. The ⋯ button lists its actions.');
  root.replaceChildren(toolbar, help, alert, problems, area);

  const say = (message: string, error = false): void => {
    options.announce(message);
    alert.replaceChildren(error ? h('p', { class: 'error', role: 'alert' }, message) : '');
  };
  const describe = (error: unknown): string => (error instanceof RpcError ? `${error.message}${error.hint ? `. ${error.hint}` : ''}` : String(error));

  const options_ = (select: HTMLSelectElement, label: string, values: string[], prefix: string): void => {
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, label), ...values.map((v) => h('option', { value: v, selected: v === chosen }, `${prefix}${v}`)));
  };

  const render = (): void => {
    if (data === undefined) return;
    const started = performance.now();
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const focusTask = focused?.closest<HTMLElement>('article.card')?.dataset.task;
    const focusActions = focused?.matches('button.card-actions') ?? false;
    const { assignees, tags } = facets(data.tasks);
    options_(assignee, 'Anyone', assignees, '@');
    options_(tag, 'Any tag', tags, '#');
    const { element } = renderColumns(data, view);
    area.replaceChildren(element);
    area.dataset.version = data.version;
    problems.replaceChildren(data.warnings.length === 0 ? '' : h('ul', { class: 'warnings' }, ...data.warnings.map((w) => h('li', {}, w))));
    if (focusTask !== undefined) {
      const card = area.querySelector<HTMLElement>(`article.card[data-task="${CSS.escape(focusTask)}"]`);
      (focusActions ? card?.querySelector<HTMLElement>('button.card-actions') : card)?.focus();
    }
    options.onRendered?.(data.version, performance.now() - started);
  };

  let loading: Promise<void> | undefined;
  let again = false;
  /** Reads the board again; calls made while one is under way are folded into one more. */
  const load = async (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        const [state, costs, runs] = await Promise.all([
          rpc.request(Methods.tasksList, { board }),
          // What the daemon adds (cost so far, runs under way): optional, the board shows without them.
          rpc.request(Methods.usageQuery, { by: 'task', since: '3650d' }).catch(() => undefined),
          rpc.request(Methods.agentList, { limit: 100 }).catch(() => undefined),
        ]);
        if (stopped) return;
        const live = new Set(running);
        for (const run of runs?.runs ?? []) if (run.outcome === null && run.task !== null) live.add(run.task);
        data = { board, version: state.version, tasks: state.tasks, warnings: state.warnings, costs: new Map((costs?.rows ?? []).filter((r) => r.key !== '').map((r) => [r.key, r.costUsd])), running: live };
        render();
      } while (again && !stopped);
    })().finally(() => (loading = undefined));
    return loading;
  };
  const reload = (): void => {
    load().catch((error: unknown) => say(describe(error), true));
  };

  const taskOf = (id: string): TaskInfo | undefined => data?.tasks.find((t) => t.id === id);
  const update = async (id: string, change: Omit<Extract<CardAction, { kind: 'update' }>, 'kind'>, done: string): Promise<void> => {
    if (data === undefined) return;
    try {
      await rpc.request(Methods.tasksUpdate, { board, version: data.version, id, ...change });
      say(done);
    } catch (error) {
      say(`${id} was not changed: ${describe(error)}`, true);
    }
    reload();
  };
  const runAgent = async (task: TaskInfo): Promise<void> => {
    running.add(task.id);
    render();
    say(`Agent run on ${task.id} started`);
    try {
      const summary = await rpc.request(Methods.agentRun, { task: task.id, board, repo: repoOf(board) });
      say(`Agent run on ${task.id}: ${summary.outcome}${summary.task ? `, the task is now ${summary.task.status}` : ''}`);
    } catch (error) {
      say(`The agent run on ${task.id} failed: ${describe(error)}`, true);
    } finally {
      running.delete(task.id);
      reload();
    }
  };
  const act = (task: TaskInfo, action: CardAction): void => {
    if (action.kind === 'run') return void runAgent(task);
    void update(task.id, { action: action.action, ...(action.status ? { status: action.status } : {}), ...(action.text ? { text: action.text } : {}), ...(action.to ? { to: action.to } : {}) }, `${task.id}: ${action.action} done`);
  };

  const stopMoves = attachMoves({
    root: area,
    announce: options.announce,
    commit: (id: string, to: ColumnStatus) => {
      if (to === 'other') return;
      void update(id, { action: 'status', status: to as TaskStatusName }, `${id} moved to ${statusTitle(to)}`);
    },
  });
  area.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const toggle = target?.closest<HTMLElement>('button[data-collapse]');
    if (toggle) {
      const status = toggle.dataset.collapse!;
      if (view.collapsed.has(status)) view.collapsed.delete(status);
      else view.collapsed.add(status);
      render();
      area.querySelector<HTMLElement>(`button[data-collapse="${status}"]`)?.focus();
      return;
    }
    const actions = target?.closest<HTMLElement>('button[data-actions]');
    if (actions) {
      const task = taskOf(actions.dataset.actions!);
      if (task) openMenu(actions, task, (action) => act(task, action));
    }
  });
  const refilter = (): void => {
    view.filter = { text: text.value, assignee: assignee.value, tag: tag.value };
    closeMenus(document);
    render();
  };
  text.addEventListener('input', refilter);
  assignee.addEventListener('change', refilter);
  tag.addEventListener('change', refilter);
  runNext.addEventListener('click', () => {
    const task = data && nextReady(data.tasks, options.user);
    if (!task) return say('No task is ready: every todo task is assigned to someone else or waits on another');
    void runAgent(task);
  });

  await load();
  const stopListening = rpc.onNotification(Notices.tasksChanged, (changed) => {
    if (changed.board === board && changed.version !== data?.version) reload();
  });
  return () => {
    stopped = true;
    stopListening();
    stopMoves();
  };
}

/** The repository an agent run on the board works in: the folder above `docs/`, else the board's own. */
export function repoOf(board: string): string {
  const parts = board.split('/');
  parts.pop();
  if (parts.at(-1) === 'docs' && parts.length > 2) parts.pop();
  return parts.join('/') || '/';
}
