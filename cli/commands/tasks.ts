import * as path from 'node:path';
import { TasksInit, TasksList, TasksShow, TasksUpdate, type TaskInfo, type TasksUpdateParams } from '../../server/protocol';
import { TasksNext } from '../../server/protocol/taskQueue';
import { TASK_STATUSES } from '../../server/protocol/tasks';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';
import { gitRootAbove } from '../repo';

export interface BoardOptions {
  board?: string;
}

/** `--board FILE`, else docs/TASKS.md of the repository you are in (or of this folder). */
export function boardPath(options: BoardOptions): string {
  if (options.board !== undefined) return path.resolve(options.board);
  return path.join(gitRootAbove(process.cwd()) ?? process.cwd(), 'docs', 'TASKS.md');
}

/** Every status a task can be listed with: Corral's own, and `other` (words the board uses that Corral does not know). */
const LISTED_STATUSES = [...TASK_STATUSES, 'other'] as const;
const STYLE: Record<string, 'green' | 'yellow' | 'red' | 'dim' | 'bold'> = { done: 'green', in_progress: 'yellow', review: 'yellow', blocked: 'red', todo: 'bold', other: 'dim' };

/** The status as people read it; `other` shows the board's own words, cut at `max` characters for tables. */
function label(out: Output, task: Pick<TaskInfo, 'status' | 'statusText'>, max = Infinity): string {
  const words = task.statusText === undefined ? '' : task.statusText.length > max ? `${task.statusText.slice(0, max - 1)}…` : task.statusText;
  const text = task.status === 'other' && words ? `other (“${words}”)` : task.status.replace('_', ' ');
  return out.paint(text, STYLE[task.status] ?? 'bold');
}

export async function ls(options: BoardOptions & { status?: string; assignee?: string }, ctx: CliContext): Promise<void> {
  const status = options.status?.replace(' ', '_').replace('-', '_');
  if (status !== undefined && !(LISTED_STATUSES as readonly string[]).includes(status)) throw new CliError(`unknown status ${options.status}`, `use one of ${LISTED_STATUSES.join(', ')}`, ExitCode.Usage);
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(TasksList, { board: boardPath(options), ...(status ? { status: status as TaskInfo['status'] } : {}), ...(options.assignee ? { assignee: options.assignee } : {}) });
    for (const warning of result.warnings) ctx.out.note(`warning: ${warning}`);
    ctx.out.result(result, (r) => {
      if (r.tasks.length === 0) return `no tasks${status || options.assignee ? ' match' : ` on ${r.board}`}\n`;
      const depth = new Map<string, number>();
      const rows = r.tasks.map((t) => {
        const d = t.parent !== null && depth.has(t.parent) ? depth.get(t.parent)! + 1 : 0;
        depth.set(t.id, d);
        const title = `${'  '.repeat(d)}${t.title}`;
        return [t.id, label(ctx.out, t, 30), title.length > 72 ? `${title.slice(0, 71)}…` : title, t.assignees.map((a) => `@${a}`).join(' ')];
      });
      const counts = LISTED_STATUSES.map((s) => [s, r.tasks.filter((t) => t.status === s).length] as const).filter(([, n]) => n > 0);
      return `${table([['ID', 'STATUS', 'TASK', 'ASSIGNEE'], ...rows])}${r.tasks.length} tasks: ${counts.map(([s, n]) => `${n} ${s.replace('_', ' ')}`).join(', ')}\n`;
    });
  } finally {
    connection.dispose();
  }
}

export async function show(options: BoardOptions, ctx: CliContext, id: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(TasksShow, { board: boardPath(options), id });
    ctx.out.result(result, (r) =>
      table([
        ['id', `${r.task.id}${r.task.explicitId ? '' : ' (derived from the title; give it an id to keep it stable)'}`],
        ['status', label(ctx.out, r.task)],
        ['title', r.task.title],
        ['assignee', r.task.assignees.map((a) => `@${a}`).join(' ') || '-'],
        ['tags', r.task.tags.map((t) => `#${t}`).join(' ') || '-'],
        ['where', `${path.basename(r.board)} line ${r.task.line}${r.task.section ? `, under "${r.task.section}"` : ''}`],
        ['subtasks', r.subtasks.length === 0 ? '-' : `${r.subtasks.filter((s) => s.status === 'done').length} of ${r.subtasks.length} done`],
      ]) + `\n${r.source}\n`,
    );
  } finally {
    connection.dispose();
  }
}

/**
 * `tasks next`: the first ready task in board order (todo, every dependency done, unassigned or
 * yours), without taking it; when none is ready, why, and exit 4 (not found) so scripts can loop.
 */
export async function next(options: BoardOptions, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(TasksNext, { board: boardPath(options) });
    for (const warning of result.warnings) ctx.out.note(`warning: ${warning}`);
    ctx.out.result(result, (r) => {
      if (r.task === null) return `no ready task on ${path.basename(r.board)}: ${r.reason ?? 'none is todo'}\n`;
      const deps = r.task.dependsOn.length > 0 ? ` (after ${r.task.dependsOn.join(', ')}, done)` : '';
      return `${r.task.id} ${label(ctx.out, r.task)}${r.task.assignees.length ? ` @${r.task.assignees.join(' @')}` : ''} — ${r.task.title}${deps}\n${r.moreReady > 0 ? `${r.moreReady} more ready; ` : ''}take it: corral tasks start ${r.task.id} · or let the agent: corral run --next\n`;
    });
    if (result.task === null) process.exitCode = ExitCode.NotFound;
  } finally {
    connection.dispose();
  }
}

/** start, note, done, block, handoff: one change, printed as the task now stands. */
function change(action: TasksUpdateParams['action'], build: (options: Record<string, string | undefined>, rest: string[]) => Partial<TasksUpdateParams>) {
  return async (options: BoardOptions & Record<string, string | undefined>, ctx: CliContext, id: string, ...rest: string[]): Promise<void> => {
    const connection = await ctx.connect();
    try {
      const result = await connection.rpc.sendRequest(TasksUpdate, { board: boardPath(options), action, id, ...build(options, rest) });
      if (result.reapplied) ctx.out.note('the board had changed meanwhile; the change was made on its new content');
      ctx.out.result(result, (r) => (r.task ? `${r.task.id} ${label(ctx.out, r.task)}${r.task.assignees.length ? ` @${r.task.assignees.join(' @')}` : ''} — ${r.task.title}\n` : 'done\n'));
    } finally {
      connection.dispose();
    }
  };
}

export const start = change('start', () => ({}));
export const note = change('note', (_o, rest) => ({ text: rest.join(' ') }));
export const done = change('done', (o) => (o.note ? { text: o.note } : {}));
export const block = change('block', (o) => ({ ...(o.reason ? { text: o.reason } : {}) }));
export const handoff = change('handoff', (o) => ({ ...(o.to ? { to: o.to } : {}), ...(o.note ? { text: o.note } : {}) }));

export async function add(options: BoardOptions, ctx: CliContext, ...words: string[]): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(TasksUpdate, { board: boardPath(options), action: 'add', text: words.join(' ') });
    ctx.out.result(result, (r) => `added ${r.task?.id ?? ''} — ${r.task?.title ?? words.join(' ')}\n`);
  } finally {
    connection.dispose();
  }
}

export async function init(options: BoardOptions, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(TasksInit, { board: boardPath(options) });
    ctx.out.result(result, (r) => `wrote ${r.board}\n`);
  } finally {
    connection.dispose();
  }
}
