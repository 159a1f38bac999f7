import type { Board, BoardHeading, Task } from '../../tasks/board';
import { WORD_FOR } from '../../tasks/status';
import type { BoardSymbol, Range } from './types';

type RangeOf = (start: number, end: number) => Range;

/**
 * The outline: the board's headings that hold tasks (lanes say their status and count), each with
 * its tasks and their subtasks, in board order — for the outline view and breadcrumbs.
 */
export function boardSymbols(board: Board, rangeOf: RangeOf): BoardSymbol[] {
  const byId = new Map<string, Task>();
  for (const t of board.tasks) if (!byId.has(t.id)) byId.set(t.id, t);
  const taskSymbol = (t: Task, depth: number): BoardSymbol => ({
    name: t.explicitId ? `${t.id} ${t.title}` : t.title || t.id,
    detail: `${t.status === 'other' ? (t.otherStatus ?? 'other') : WORD_FOR[t.status]}${t.assignees.length > 0 ? ` · @${t.assignees.join(' @')}` : ''}`,
    kind: 'task',
    range: rangeOf(t.span.start, Math.max(t.span.end, t.firstLine.end)),
    selectionRange: rangeOf(t.firstLine.start, t.firstLine.end),
    // Subtasks nest; a cycle or a very deep tree stops at a depth no outline shows anyway.
    children: depth > 8 ? [] : t.children.flatMap((id) => (byId.get(id)?.parent === t.id ? [taskSymbol(byId.get(id)!, depth + 1)] : [])),
  });
  const root: BoardSymbol[] = [];
  const open: { heading: BoardHeading; symbol: BoardSymbol; tasks: number }[] = [];
  const close = (until: number): void => {
    while (open.length > 0 && (open.at(-1)!.heading.depth >= until || until === 0)) {
      const done = open.pop()!;
      if (done.tasks === 0) continue;
      done.symbol.detail = `${done.heading.status && !done.heading.inherited ? `${WORD_FOR[done.heading.status]} · ` : ''}${done.tasks} task${done.tasks === 1 ? '' : 's'}`;
      (open.at(-1)?.symbol.children ?? root).push(done.symbol);
      for (const o of open) o.tasks += done.tasks;
    }
  };
  const tops = board.tasks.filter((t) => t.parent === null);
  let next = 0;
  const placeTasks = (before: number): void => {
    while (next < tops.length && tops[next]!.firstLine.start < before) {
      const t = tops[next++]!;
      const parent = open.at(-1);
      (parent?.symbol.children ?? root).push(taskSymbol(t, 0));
      if (parent) parent.tasks++;
    }
  };
  for (const heading of board.headings) {
    placeTasks(heading.span.start);
    close(heading.depth);
    open.push({
      heading,
      symbol: {
        name: heading.text || '(untitled)',
        detail: '',
        kind: 'lane',
        range: rangeOf(heading.span.start, heading.sectionEnd),
        selectionRange: rangeOf(heading.span.start, heading.span.end),
        children: [],
      },
      tasks: 0,
    });
  }
  placeTasks(Number.POSITIVE_INFINITY);
  close(0);
  return root;
}
