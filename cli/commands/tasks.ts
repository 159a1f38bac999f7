import * as path from 'node:path';
import { TasksInit, TasksList, TasksShow, TasksUpdate, type TaskInfo, type TasksUpdateParams } from '../../server/protocol';
import { TasksNext } from '../../server/protocol/taskQueue';
import type { CommandFunction } from '../command';
import {
  LISTED_STATUSES,
  type tasksAddCommand,
  type tasksBlockCommand,
  type tasksDoneCommand,
  type tasksHandoffCommand,
  type tasksInitCommand,
  type tasksLsCommand,
  type tasksNextCommand,
  type tasksNoteCommand,
  type tasksShowCommand,
  type tasksStartCommand,
} from '../commands';
import type { CliContext } from '../context';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';
import { gitRootAbove } from '../repo';

/** `--board FILE`, else docs/TASKS.md of the repository you are in (or of this folder). */
export function boardPath(ctx: CliContext, board: string | undefined): string {
  if (board !== undefined) return ctx.resolve(board);
  return path.join(gitRootAbove(ctx.cwd) ?? ctx.cwd, 'docs', 'TASKS.md');
}

const STYLE: Record<string, 'green' | 'yellow' | 'red' | 'dim' | 'bold'> = { done: 'green', in_progress: 'yellow', review: 'yellow', blocked: 'red', todo: 'bold', other: 'dim' };

/** The status as people read it; `other` shows the board's own words, cut at `max` characters for tables. */
function label(out: Output, task: Pick<TaskInfo, 'status' | 'statusText'>, max = Infinity): string {
  const words = task.statusText === undefined ? '' : task.statusText.length > max ? `${task.statusText.slice(0, max - 1)}…` : task.statusText;
  const text = task.status === 'other' && words ? `other (“${words}”)` : task.status.replace('_', ' ');
  return out.paint(text, STYLE[task.status] ?? 'bold');
}

/** `corral tasks ls [--status S] [--assignee U]`: the board's tasks, nested as on the board. */
export const ls: CommandFunction<typeof tasksLsCommand> = async (ctx, options) => {
  const { status } = options;
  const result = await ctx.call(TasksList, { board: boardPath(ctx, options.board), ...(status ? { status } : {}), ...(options.assignee ? { assignee: options.assignee } : {}) });
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
  return ExitCode.Ok;
};

/** `corral tasks show ID`: one task, its place on the board and its source lines. */
export const show: CommandFunction<typeof tasksShowCommand> = async (ctx, { board, id }) => {
  const result = await ctx.call(TasksShow, { board: boardPath(ctx, board), id });
  ctx.out.result(
    result,
    (r) =>
      table([
        ['id', `${r.task.id}${r.task.explicitId ? '' : ' (derived from the title; give it an id to keep it stable)'}`],
        ['status', label(ctx.out, r.task)],
        ['title', r.task.title],
        ['assignee', r.task.assignees.map((a) => `@${a}`).join(' ') || '-'],
        ['tags', r.task.tags.map((t) => `#${t}`).join(' ') || '-'],
        ['after', r.task.dependsOn.join(', ') || '-'],
        ['where', `${path.basename(r.board)} line ${r.task.line}${r.task.section ? `, under "${r.task.section}"` : ''}`],
        ['subtasks', r.subtasks.length === 0 ? '-' : `${r.subtasks.filter((s) => s.status === 'done').length} of ${r.subtasks.length} done`],
      ]) + `\n${r.source}\n`,
  );
  return ExitCode.Ok;
};

/**
 * `tasks next`: the first ready task in board order (todo, every dependency done, unassigned or
 * yours), without taking it; when none is ready, why, and exit 4 (not found) so scripts can loop.
 */
export const next: CommandFunction<typeof tasksNextCommand> = async (ctx, options) => {
  const result = await ctx.call(TasksNext, { board: boardPath(ctx, options.board) });
  for (const warning of result.warnings) ctx.out.note(`warning: ${warning}`);
  ctx.out.result(result, (r) => {
    if (r.task === null) return `no ready task on ${path.basename(r.board)}: ${r.reason ?? 'none is todo'}\n`;
    const deps = r.task.dependsOn.length > 0 ? ` (after ${r.task.dependsOn.join(', ')}, done)` : '';
    return `${r.task.id} ${label(ctx.out, r.task)}${r.task.assignees.length ? ` @${r.task.assignees.join(' @')}` : ''} — ${r.task.title}${deps}\n${r.moreReady > 0 ? `${r.moreReady} more ready; ` : ''}take it: corral tasks start ${r.task.id} · or let the agent: corral run --next\n`;
  });
  return result.task === null ? ExitCode.NotFound : ExitCode.Ok;
};

/** start, note, done, block, handoff: one change, printed as the task now stands. */
async function change(ctx: CliContext, board: string | undefined, id: string, update: Omit<TasksUpdateParams, 'board' | 'id'>): Promise<number> {
  const result = await ctx.call(TasksUpdate, { board: boardPath(ctx, board), id, ...update });
  if (result.reapplied) ctx.out.note('the board had changed meanwhile; the change was made on its new content');
  ctx.out.result(result, (r) =>
    r.task ? `${r.task.id} ${label(ctx.out, r.task)}${r.task.assignees.length ? ` @${r.task.assignees.join(' @')}` : ''} — ${r.task.title}\n` : 'done\n',
  );
  return ExitCode.Ok;
}

export const start: CommandFunction<typeof tasksStartCommand> = (ctx, { board, id }) => change(ctx, board, id, { action: 'start' });
export const note: CommandFunction<typeof tasksNoteCommand> = (ctx, { board, id, text }) => change(ctx, board, id, { action: 'note', text: text.join(' ') });
export const done: CommandFunction<typeof tasksDoneCommand> = (ctx, { board, id, note }) => change(ctx, board, id, { action: 'done', ...(note ? { text: note } : {}) });
export const block: CommandFunction<typeof tasksBlockCommand> = (ctx, { board, id, reason }) => change(ctx, board, id, { action: 'block', ...(reason ? { text: reason } : {}) });
export const handoff: CommandFunction<typeof tasksHandoffCommand> = (ctx, { board, id, to, note }) =>
  change(ctx, board, id, { action: 'handoff', ...(to ? { to } : {}), ...(note ? { text: note } : {}) });

/** `corral tasks add TEXT…`: a new task in the Todo section. */
export const add: CommandFunction<typeof tasksAddCommand> = async (ctx, { board, text: words }) => {
  const result = await ctx.call(TasksUpdate, { board: boardPath(ctx, board), action: 'add', text: words.join(' ') });
  ctx.out.result(result, (r) => `added ${r.task?.id ?? ''} — ${r.task?.title ?? words.join(' ')}\n`);
  return ExitCode.Ok;
};

/** `corral tasks init`: a starter board (refused when one exists). */
export const init: CommandFunction<typeof tasksInitCommand> = async (ctx, { board }) => {
  const result = await ctx.call(TasksInit, { board: boardPath(ctx, board) });
  ctx.out.result(result, (r) => `wrote ${r.board}\n`);
  return ExitCode.Ok;
};
