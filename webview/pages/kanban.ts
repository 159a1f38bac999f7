import type { TaskInfo, TaskStatusName } from '../../server/protocol';
import { h } from '../dom';
import { closeMenus, openMenu, type CardAction } from '../kanban/actions';
import { HELP_ID, renderColumns, type CardCache, type ViewState } from '../kanban/cards';
import { facets, nextReady, statusTitle, type ColumnStatus, type KanbanData } from '../kanban/model';
import { attachMoves, keepOneTabStop } from '../kanban/moves';
import { Methods, Notices } from '../methods';
import { RpcError, type RpcClient } from '../rpc';

/** Cards per column drawn before the first paint (a screenful and more); then the rest, a few ms a frame. */
const FIRST_CARDS = 40;
const CARDS_PER_STEP = 50;
const FRAME_BUDGET_MS = 10;

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
  const help = h(
    'p',
    { id: HELP_ID, class: 'visually-hidden' },
    'The arrow keys go from card to card. Space or Enter picks the card up; the arrow keys move it between columns; Space or Enter drops it, Escape cancels. The ⋯ button lists its actions.',
  );
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

  const cache: CardCache = new Map();
  let generation = 0;
  const render = (): void => {
    if (data === undefined) return;
    const shown = data;
    const mine = ++generation;
    const started = performance.now();
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const focusTask = focused?.closest<HTMLElement>('article.card')?.dataset.task;
    const focusActions = focused?.matches('button.card-actions') ?? false;
    const { assignees, tags } = facets(data.tasks);
    options_(assignee, 'Anyone', assignees, '@');
    options_(tag, 'Any tag', tags, '#');
    const { element, pending, card } = renderColumns(data, view, cache, FIRST_CARDS);
    area.replaceChildren(element);
    area.dataset.version = data.version;
    delete area.dataset.complete;
    problems.replaceChildren(data.warnings.length === 0 ? '' : h('ul', { class: 'warnings' }, ...data.warnings.map((w) => h('li', {}, w))));
    let focusDone = false;
    const refocus = (): void => {
      if (focusTask === undefined || focusDone) return;
      const element = area.querySelector<HTMLElement>(`article.card[data-task="${CSS.escape(focusTask)}"]`);
      if (!element) return;
      focusDone = true;
      (focusActions ? element.querySelector<HTMLElement>('button.card-actions') : element)?.focus();
    };
    refocus();
    keepOneTabStop(area);
    performance.measure('kanban-render', { start: started, end: performance.now() });
    let work = performance.now() - started;
    // The rest of the cards a frame at a time; a newer reading stops this one.
    const step = (): void => {
      if (mine !== generation || stopped) return;
      const began = performance.now();
      // A few milliseconds of work per frame: new cards cost more than cards kept from the last drawing.
      while (pending.length > 0 && performance.now() - began < FRAME_BUDGET_MS) {
        const next = pending[0]!;
        const take = next.tasks.splice(0, CARDS_PER_STEP);
        const fragment = document.createDocumentFragment();
        for (const task of take) fragment.append(card(task));
        next.list.append(fragment);
        if (next.tasks.length === 0) pending.shift();
      }
      work += performance.now() - began;
      refocus();
      if (pending.length > 0) return void requestAnimationFrame(() => setTimeout(step));
      keepOneTabStop(area);
      area.dataset.complete = shown.version;
      options.onRendered?.(shown.version, work);
    };
    // The first screen is painted before the rest comes.
    requestAnimationFrame(() => setTimeout(step));
  };

  let loading: Promise<void> | undefined;
  let again = false;
  let extras: { costs: ReadonlyMap<string, number>; running: ReadonlySet<string> } = { costs: new Map(), running: new Set() };
  /**
   * What the daemon adds (cost so far, runs under way), asked beside the board and never waited
   * for by it: optional (the board shows without them), and a text edit does not change them.
   */
  const loadExtras = async (): Promise<void> => {
    const [costs, runs] = await Promise.all([
      rpc.request(Methods.usageQuery, { by: 'task', since: '3650d' }).catch(() => undefined),
      rpc.request(Methods.agentList, { limit: 100 }).catch(() => undefined),
    ]);
    if (stopped) return;
    const live = new Set(running);
    for (const run of runs?.runs ?? []) if (run.outcome === null && run.task !== null) live.add(run.task);
    extras = { costs: new Map((costs?.rows ?? []).filter((r) => r.key !== '').map((r) => [r.key, r.costUsd])), running: live };
    if (data === undefined) return;
    data = { ...data, ...extras };
    render();
  };
  /** Reads the board again; calls made while one is under way are folded into one more. */
  const load = async (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        const asked = performance.now();
        const state = await rpc.request(Methods.tasksList, { board });
        if (stopped) return;
        // The round trip of one reading, beside the drawing's own measure (the benchmarks read both).
        performance.measure('kanban-load', { start: asked, end: performance.now() });
        data = { board, version: state.version, tasks: state.tasks, warnings: state.warnings, costs: extras.costs, running: new Set([...extras.running, ...running]) };
        render();
      } while (again && !stopped);
    })().finally(() => (loading = undefined));
    return loading;
  };
  const reload = (withExtras = false): void => {
    load().catch((error: unknown) => say(describe(error), true));
    if (withExtras) void loadExtras();
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
      reload(true);
    }
  };
  const act = (task: TaskInfo, action: CardAction): void => {
    if (action.kind === 'run') return void runAgent(task);
    void update(
      task.id,
      { action: action.action, ...(action.status ? { status: action.status } : {}), ...(action.text ? { text: action.text } : {}), ...(action.to ? { to: action.to } : {}) },
      `${task.id}: ${action.action} done`,
    );
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

  void loadExtras();
  await load();
  const stopListening = rpc.onNotification(Notices.tasksChanged, (changed) => {
    if (changed.board !== board || changed.version === data?.version) return;
    performance.mark('kanban-changed');
    reload();
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
