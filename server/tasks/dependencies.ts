import type { Task } from './board';
import type { Context } from './readContext';
import { lineEnd } from './source';

// Which tasks a task waits for, in the notations boards use: "after T-3" or "blocked by T-2" in
// its title, a `- depends: T-3, T-4` field under it, a Depends column, `blocked-by:t001`.

/** An id token: `T-12`, `TASK-TC952`, `A-001`, `#12`, `t001`, `1.2.3`, perhaps in backticks. */
const ID = String.raw`\x60?(?:[A-Z][A-Za-z0-9]*-[A-Za-z]{0,4}\d+(?:\.\d+)*|#\d+|[a-z]\d{3,}(?:\.\d+)*|\d+(?:\.\d+)+)\x60?`;
const ID_TOKEN = new RegExp(ID, 'gi');
const STRONG_ID = /^[A-Z][A-Za-z0-9]*-[A-Za-z]{0,4}\d+/;
/** Between ids of a list: "T-3, T-4", "T-3 and T-4", "t001,t002", "T-3 & T-4". */
const ID_LIST = String.raw`${ID}(?:\s*(?:,|;|&|\+|/|\band\b|\bund\b|\by\b|\be\b|\bet\b)?\s*${ID})*`;
/** Words that say "waits for" before ids in a title. */
const WAITS = String.raw`after|depends on|depends|dependent on|blocked[ -]by|needs|requires|waits? (?:on|for)|deps`;
const IN_TITLE = new RegExp(String.raw`(?:^|[\s(\[,;])(?:${WAITS})\s*[:：]?\s*(${ID_LIST})`, 'gi');
/** A field line: `- depends: T-3, T-4`, `- **Depends:** A-001`, `Blocked by: T-2`, `After: T-1`. */
const FIELD = new RegExp(
  String.raw`^[ \t>]*(?:[-*+][ \t]+)?[*_]*(?:depends(?: on)?|dependencies|dependency|deps|blocked[ -]by|after|requires|needs|prerequisites?|waits? (?:on|for))[*_]*[ \t]*[:：][ \t]*[*_]*(.*)$`,
  'i',
);
/** Cheap test before the field pattern: most lines of a board say none of these words. */
const MAYBE_FIELD = /depend|deps|block|after|requir|need|prereq|wait/i;
/** A table column of dependencies. */
export const DEPENDS_HEADER =
  /^(depends|depends on|dependencies|dependency|deps|blocked by|after|requires|prerequisites?|waits on|abhängigkeiten|dependencias|dependências|dépendances|依赖|前置)$/i;

/**
 * Fills every task's `dependsOn` from its title, its field lines (before its subtasks) and its
 * Depends cell, in the order written; then warns once per id that is not on the board and once
 * per cycle. Ids are matched as the board writes them, case aside (`t-3` finds `T-3`).
 */
export function readDependencies(ctx: Context): void {
  const { board } = ctx;
  // First the candidates, cheaply; most boards have none, and then nothing more is done.
  const candidates: { task: Task; inTitle: string[]; named: string[] }[] = [];
  for (const task of board.tasks) {
    const inTitle: string[] = [];
    if (MAYBE_FIELD.test(task.title)) for (const match of task.title.matchAll(IN_TITLE)) inTitle.push(...tokens(match[1]!));
    const named = task.dependsText ? tokens(ctx.text.slice(task.dependsText.start, task.dependsText.end)) : [];
    // Most tasks are one line: nothing under them to read.
    if (task.kind !== 'table' && task.span.end > task.firstLine.end) named.push(...fieldIds(ctx, task));
    if (inTitle.length > 0 || named.length > 0) candidates.push({ task, inTitle, named });
  }
  if (candidates.length === 0) return;
  const prefixes = new Set<string>();
  const lower = new Map<string, string>();
  for (const task of board.tasks) {
    if (!task.explicitId) continue;
    prefixes.add(prefixOf(task.id));
    if (!lower.has(task.id.toLowerCase())) lower.set(task.id.toLowerCase(), task.id);
  }
  const canonical = (token: string): string => {
    const id = token.replace(/`/g, '');
    return lower.get(id.toLowerCase()) ?? id;
  };
  // In a title only ids of this board's kind count: "after COVID-19" is words, "needs #12" an issue
  // unless the board's ids are `#n`.
  const boardLike = (token: string): boolean => {
    const id = token.replace(/`/g, '');
    return lower.has(id.toLowerCase()) || (prefixOf(id) !== '' && prefixes.has(prefixOf(id)));
  };
  // A field or a column says it names tasks: any id of the usual shape counts there (and is
  // reported when the board lacks it), a dotted number ("Node 20.15") only when it is a task's.
  const named = (token: string): boolean => boardLike(token) || STRONG_ID.test(token.replace(/`/g, ''));
  for (const c of candidates) {
    const found = [...c.inTitle.filter(boardLike), ...c.named.filter(named)];
    if (found.length > 0) c.task.dependsOn = [...new Set(found.map(canonical))];
  }
  report(ctx);
}

function tokens(text: string): string[] {
  return [...text.matchAll(ID_TOKEN)].map((m) => m[0]);
}

/** `T-` of `T-12`, `#` of `#12`, `t` of `t001`; empty for `1.2.3`. */
function prefixOf(id: string): string {
  return /^[^\d]*/.exec(id)![0];
}

/**
 * Ids of the dependency fields among a task's own lines: after its first line, outside its
 * subtasks, before a sub-heading, outside code blocks.
 */
function fieldIds(ctx: Context, task: Task): string[] {
  const ids: string[] = [];
  const children = task.children.map((id) => ctx.byId.get(id)).filter((c): c is Task => c !== undefined && c.parent === task.id);
  let fence = false;
  // Subtasks come in board order: one pointer walks them as the lines go by.
  let child = 0;
  for (let at = nextLine(ctx.text, task.firstLine.end); at < task.span.end;) {
    const end = lineEnd(ctx.text, at);
    while (child < children.length && children[child]!.span.end <= at) child++;
    const inChild = children[child];
    if (inChild && inChild.span.start <= at) {
      at = nextLine(ctx.text, inChild.span.end);
      continue;
    }
    const line = ctx.text.slice(at, end);
    if (/^[ \t]*(?:```|~~~)/.test(line)) fence = !fence;
    else if (!fence && task.kind === 'heading' && /^[ \t]*#{1,6}[ \t]/.test(line)) break;
    else if (!fence && MAYBE_FIELD.test(line)) {
      const field = FIELD.exec(line);
      if (field) ids.push(...tokens(field[1]!));
    }
    at = nextLine(ctx.text, end);
  }
  return ids;
}

/** The offset of the line after the one ending at (or holding) `end`. */
function nextLine(text: string, end: number): number {
  const newline = text.indexOf('\n', end);
  return newline < 0 ? text.length : newline + 1;
}

/** Unknown ids (one warning each when few, one with a count when many) and each cycle once. */
function report(ctx: Context): void {
  const { board } = ctx;
  const unknown: string[] = [];
  for (const task of board.tasks) {
    if (task.dependsOn.length === 0) continue;
    for (const dep of task.dependsOn) if (!ctx.byId.has(dep)) unknown.push(`${task.id} (line ${task.line}) depends on ${dep}`);
  }
  if (unknown.length > 0 && unknown.length <= 3) for (const u of unknown) board.warnings.push(`${u}, which is not on the board; it counts as not done until it is`);
  else if (unknown.length > 3)
    board.warnings.push(`${unknown.length.toLocaleString('en-US')} dependencies name ids that are not on the board (${unknown.slice(0, 3).join(', ')}, …); they count as not done`);
  for (const cycle of cycles(ctx)) {
    board.warnings.push(
      cycle.length === 1
        ? `${cycle[0]} depends on itself; it cannot become ready until that dependency is removed`
        : `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}; none of them can become ready until one of these dependencies is removed`,
    );
  }
}

/**
 * The board's dependency cycles, each once, as a path through it in board order from its first
 * task (strongly connected components by Tarjan's algorithm, iteratively: a long chain of
 * dependencies must not overflow the stack).
 */
function cycles(ctx: Context): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const [id, task] of ctx.byId)
    if (task.dependsOn.length > 0)
      adjacency.set(
        id,
        task.dependsOn.filter((d) => ctx.byId.has(d)),
      );
  if (adjacency.size === 0) return [];
  const ids = [...ctx.byId.keys()];
  const none: string[] = [];
  const edges = (id: string): string[] => adjacency.get(id) ?? none;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const out = edges(frame.id);
      if (frame.next < out.length) {
        const to = out[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let id: string;
      do {
        id = stack.pop()!;
        onStack.delete(id);
        component.push(id);
      } while (id !== frame.id);
      if (component.length > 1 || edges(frame.id).includes(frame.id)) found.push(cyclePath(ctx, new Set(component), edges));
    }
  }
  const line = (id: string): number => ctx.byId.get(id)!.line;
  return found.sort((a, b) => line(a[0]!) - line(b[0]!));
}

/** A cycle inside a strongly connected component, from its first task on the board, following dependencies. */
function cyclePath(ctx: Context, component: Set<string>, edges: (id: string) => string[]): string[] {
  const start = [...component].sort((a, b) => ctx.byId.get(a)!.line - ctx.byId.get(b)!.line)[0]!;
  const path = [start];
  const seen = new Set([start]);
  for (let id = start; ;) {
    const inside = edges(id).filter((d) => component.has(d));
    const back = inside.find((d) => d === start);
    if (back !== undefined) return path;
    const next = inside.find((d) => !seen.has(d)) ?? inside[0]!;
    if (seen.has(next)) return path.slice(path.indexOf(next));
    path.push(next);
    seen.add(next);
    id = next;
  }
}
