import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Authorizer, CheckedBoard } from '../auth/authorizer';
import { checkFolderIdentity, HeldDirectory, readNoFollow } from '../auth/heldDirectory';
import { resolveReal } from '../auth/realPath';
import { CorralError } from '../errors';
import type { Logger } from '../log';
import type { Clock } from '../ports/clock';
import { ErrorCode, type BoardState, type TaskInfo, type TasksUpdateParams } from '../protocol';
import type { Store } from '../store/store';
import type { TasksClaimNextResult, TasksNextResult } from '../protocol/taskQueue';
import type { Board, ParseOptions, Task } from './board';
import { actionEdits, taskInfo } from './actions';
import type { BoardEdit } from './edit';
import { editBoard, loadBoard, STARTER_BOARD, suggestion, versionOf, type BoardFile } from './file';
import { nothingReady, readyQueue, type Queue } from './queue';

export interface TasksDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Tells a user's clients that a board they looked at changed. */
  announce(user: string, board: string, version: string): void;
  /** How boards are read (config.json `tasks`), read at each use. */
  options(): ParseOptions;
  /**
   * The policy: the daemon's owner may use any board; other users those in folders granted to
   * them and in their sessions' repositories, decided on the board's real path.
   */
  authorizer: Authorizer;
}

/** Who is calling: `daemonOwner` when it is the user the daemon runs as (not a board's or session's owner). */
export interface Caller {
  user: string;
  daemonOwner: boolean;
}

const MAX_WATCHED = 32;

/**
 * The task board as a service: reads, surgical edits serialised per file, events for what Corral
 * did, and watching the boards people look at so every client hears of changes.
 */
export class TasksService {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly watched = new Map<string, { watcher: fs.FSWatcher; users: Set<string>; version: string; timer?: NodeJS.Timeout }>();

  constructor(private readonly deps: TasksDeps) {}

  list(caller: Caller, board: string, filter: { status?: string; assignee?: string }): BoardState & { tasks: TaskInfo[] } {
    const file = this.load(caller, board);
    const assignee = filter.assignee?.replace(/^@/, '');
    const tasks = file.board.tasks.filter((t) => (filter.status === undefined || t.status === filter.status) && (assignee === undefined || t.assignees.includes(assignee)));
    return { ...state(file), tasks: tasks.map(taskInfo) };
  }

  show(caller: Caller, board: string, id: string): BoardState & { task: TaskInfo; source: string; subtasks: TaskInfo[] } {
    const file = this.load(caller, board);
    const task = find(file, id);
    return {
      ...state(file),
      task: taskInfo(task),
      source: file.board.text.slice(task.span.start, task.span.end),
      subtasks: file.board.tasks.filter((t) => t.parent === task.id).map(taskInfo),
    };
  }

  /** One user-level action, as one or more surgical edits made under the board's lock. */
  update(caller: Caller, params: TasksUpdateParams): Promise<BoardState & { task: TaskInfo | null; reapplied: boolean }> {
    const checked = this.check(caller, 'board.write', params.board);
    // Keyed by the real path: two names of one board are one queue.
    return this.serialised(checked.real, () => this.edit(caller, checked, params));
  }

  /** The first ready task for the caller (todo, dependencies done, unassigned or theirs), not taken. */
  next(caller: Caller, board: string): TasksNextResult {
    const file = this.load(caller, board);
    return answer(file, readyQueue(file.board, caller.user));
  }

  /**
   * Picks the first ready task and claims it (`start`: assigned to the caller, in progress) under
   * the board's lock, so two callers at once never get the same task.
   */
  claimNext(caller: Caller, board: string): Promise<TasksClaimNextResult> {
    const checked = this.check(caller, 'board.write', board);
    return this.serialised(checked.real, async () => {
      const file = through(checked, (inside) => ({ ...loadBoard(inside, this.deps.options()), path: checked.given }));
      const queue = readyQueue(file.board, caller.user);
      const first = queue.ready[0];
      if (first === undefined) return answer(file, queue);
      const claimed = await this.edit(caller, checked, { board, version: file.version, id: first.id, action: 'start' });
      return { ...answer(file, queue), version: claimed.version, warnings: claimed.warnings, task: claimed.task };
    });
  }

  /** Makes one update's edits; the caller holds the board's lock. */
  private async edit(caller: Caller, checked: CheckedBoard, params: TasksUpdateParams): Promise<BoardState & { task: TaskInfo | null; reapplied: boolean }> {
    const user = caller.user;
    {
      const edits = this.editsFor(user, params);
      const file = through(checked, (inside) => {
        let version = params.version;
        let result: { file: BoardFile; reapplied: boolean } | undefined;
        let reapplied = false;
        for (const edit of edits) {
          result = editBoard(inside, version, edit, this.deps.options());
          reapplied ||= result.reapplied;
          version = result.file.version;
        }
        return { ...result!.file, path: checked.given, reapplied };
      });
      const reapplied = file.reapplied;
      const task = params.action === 'add' ? added(file.board, params.text!) : file.board.tasks.find((t) => t.id === params.id);
      await this.deps.store.write((w) =>
        w.run('INSERT INTO task_events (at, user, board, task, action, detail) VALUES (?, ?, ?, ?, ?, ?)', [
          this.deps.clock.now().toISOString(),
          user,
          params.board,
          task?.id ?? params.id ?? '',
          params.action,
          params.text ?? params.to ?? params.status ?? null,
        ]),
      );
      this.watch(user, checked, file.version);
      return { ...state(file), task: task ? taskInfo(task) : null, reapplied };
    }
  }

  init(caller: Caller, board: string): BoardState {
    const checked = this.check(caller, 'board.write', board);
    // Components past the first missing one are plain names (see resolveReal): created as named.
    if (!resolveReal(checked.dir).exists) fs.mkdirSync(checked.dir, { recursive: true });
    through(checked, (inside) => {
      try {
        fs.writeFileSync(inside, STARTER_BOARD, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new CorralError(ErrorCode.Conflict, `${board} already exists`, 'it is your board: `corral tasks ls` reads it');
        throw error;
      }
    });
    return state(this.load(caller, board));
  }

  close(): void {
    for (const entry of this.watched.values()) {
      entry.watcher.close();
      clearTimeout(entry.timer);
    }
    this.watched.clear();
  }

  private editsFor(user: string, p: TasksUpdateParams): BoardEdit[] {
    return actionEdits(user, this.deps.clock.now(), p, (message, what) => new CorralError(ErrorCode.InvalidParams, message, `add ${what}`));
  }

  /** The policy's decision on the board's real path (throws Forbidden). */
  private check(caller: Caller, action: 'board.read' | 'board.write', board: string): CheckedBoard {
    return this.deps.authorizer.board({ user: caller.user, role: caller.daemonOwner ? 'owner' : 'user' }, action, board);
  }

  private load(caller: Caller, board: string): BoardFile {
    const checked = this.check(caller, 'board.read', board);
    const file = through(checked, (inside) => ({ ...loadBoard(inside, this.deps.options()), path: board }));
    this.watch(caller.user, checked, file.version);
    return file;
  }

  /** Edits of one board run one after another; boards are independent. */
  private serialised<T>(board: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(board) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.queues.set(
      board,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * Watches the board's folder (editors and git replace files, which a watch on the file itself
   * would lose) and tells the users who looked at it when its bytes change.
   */
  private watch(user: string, checked: CheckedBoard, version: string): void {
    const board = checked.given;
    const existing = this.watched.get(board);
    if (existing) {
      existing.users.add(user);
      existing.version = version;
      return;
    }
    if (this.watched.size >= MAX_WATCHED) return;
    try {
      const watcher = fs.watch(path.dirname(board), { persistent: false }, (_event, name) => {
        if (name !== null && name !== path.basename(board)) return;
        const entry = this.watched.get(board)!;
        clearTimeout(entry.timer);
        entry.timer = setTimeout(() => this.changed(board), 50);
      });
      watcher.on('error', () => this.unwatch(board));
      this.watched.set(board, { watcher, users: new Set([user]), version });
    } catch (error) {
      this.deps.logger.warn('cannot watch a task board', { board, error: (error as Error).message });
    }
  }

  /**
   * The board's folder changed: each watcher still allowed to read the board (on its real path
   * now) hears the new version; one who is not any more (revoked, session gone) stops watching.
   */
  private changed(board: string): void {
    const entry = this.watched.get(board);
    if (!entry) return;
    let version = 'missing';
    let real: string | undefined;
    try {
      real = resolveReal(board).real;
      version = versionOf(readNoFollow(real));
    } catch {
      // Gone, unreadable or a link now: announced as missing.
    }
    if (version === entry.version) return;
    entry.version = version;
    for (const user of [...entry.users]) {
      if (real === undefined || !this.deps.authorizer.mayRead(user, real)) {
        entry.users.delete(user);
        continue;
      }
      this.deps.announce(user, board, version);
    }
    if (entry.users.size === 0) this.unwatch(board);
  }

  private unwatch(board: string): void {
    this.watched.get(board)?.watcher.close();
    this.watched.delete(board);
  }
}

function find(file: BoardFile, id: string): Task {
  const task = file.board.tasks.find((t) => t.id === id) ?? file.board.tasks.find((t) => t.id.toLowerCase() === id.toLowerCase());
  if (!task) throw new CorralError(ErrorCode.NotFound, `no task ${id} on ${path.basename(file.path)}`, suggestion(file.board, id));
  return task;
}

/** The task `add` wrote: by its explicit id, else by its title. */
function added(board: Board, text: string): Task | undefined {
  const title = text.trim();
  return board.tasks.find((t) => t.explicitId && title.startsWith(t.id) && title.endsWith(t.title)) ?? board.tasks.find((t) => t.title === title);
}

function state(file: BoardFile): BoardState {
  return { board: file.path, version: file.version, warnings: file.board.warnings };
}

/** The queue's answer: its first ready task, how many more are ready, who waits, and why none when none is. */
function answer(file: BoardFile, queue: Queue): TasksNextResult {
  const task = queue.ready[0];
  return {
    ...state(file),
    task: task ? taskInfo(task) : null,
    moreReady: Math.max(0, queue.ready.length - 1),
    waiting: queue.waiting,
    ...(queue.ready.length === 0 ? { reason: nothingReady(queue) } : {}),
  };
}

/**
 * Runs `work` on the board's path inside its checked folder held open (never on the path
 * re-resolved), naming the board as the caller did in any error.
 */
function through<T>(checked: CheckedBoard, work: (inside: string) => T): T {
  const folder = HeldDirectory.open(checkFolderIdentity(checked.dir));
  const inside = folder.child(checked.name);
  try {
    return work(inside);
  } catch (error) {
    if (error instanceof CorralError && error.message.includes(inside))
      throw new CorralError(error.code, error.message.replaceAll(inside, checked.given), error.hint, error.details);
    throw error;
  } finally {
    folder.close();
  }
}
