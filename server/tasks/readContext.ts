import { createHash } from 'node:crypto';
import type { Board, Task } from './board';
import type { MarkdownParser } from './markdown';
import { plainOf, type Inline } from './source';

// What reading one board keeps track of, and how a task gets its id, assignees and tags.

export interface Context {
  board: Board;
  text: string;
  lines: number[];
  parser: MarkdownParser;
  usedIds: Map<string, number>;
  idPrefixes?: Map<string, Set<string>>;
  /** Tasks whose id another task already has, reported together when there are many. */
  duplicates: { id: string; first: number; line: number }[];
  byId: Map<string, Task>;
  lastHeadingTask?: Task;
  /** The top-level list being read has items struck through as a whole. */
  struckList?: boolean;
}

/** The 0-based line holding an offset (a binary search of the line starts). */
export function lineAt(ctx: Context, offset: number): number {
  let low = 0;
  let high = ctx.lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (ctx.lines[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

export type Identity = Pick<Task, 'id' | 'explicitId' | 'title' | 'assignees' | 'tags'>;

const EXPLICIT_ID = /^(?:\[[^\]]*\]\s*)?([A-Z][A-Za-z0-9]*-[A-Z]{0,4}\d+[A-Za-z0-9.-]*|#\d+|[A-Z]?\d+(?:\.\d+)+|[a-z]\d{3,})(?=$|[\s:.)—–-])[\s:.)—–-]*/;

export function identify(ctx: Context, title: string, inline: Inline): Identity {
  const found = EXPLICIT_ID.exec(title);
  if (found && looksLikeId(ctx, found[1]!, title.slice(found[1]!.length))) return explicit(found[1]!, title.slice(found[0].length) || title, inline);
  // Stable across status changes, assignees and tags: only the words of the title count.
  const normalized = title
    .replace(/(^|[\s(])[@#][\w./-]+/g, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  let id = `h-${createHash('sha256').update(normalized).digest('hex').slice(0, 6)}`;
  const seen = ctx.usedIds.get(id) ?? 0;
  ctx.usedIds.set(id, seen + 1);
  if (seen > 0) id = `${id}-${seen + 1}`;
  return { id, explicitId: false, title, ...people(inline) };
}

/** Prefixes people give task ids on their own (`T-1`, `BUG-7`, `HU-01`), even on a board with one task. */
const ID_PREFIX = /^(?:[A-Z]{1,3}|TASK|ISSUE|BUG|FEAT|STORY|TICKET|EPIC|SPIKE|CHORE|REQ|ITEM|CARD|TODO|FIX|DOC|TEST|OPS)$/;

/**
 * Whether `Word-12` at the start of a title is an id on this board: a short or usual prefix
 * (`T-12`, `TASK-3`), a prefix several tasks share (`KORE-1`, `KORE-2`), or one followed by a colon
 * or bracket. "COVID-19 dashboard" and "Pilot-2 uses" are words of the title.
 */
function looksLikeId(ctx: Context, id: string, after: string): boolean {
  const prefix = /^([A-Z][A-Za-z0-9]*)-\d/.exec(id)?.[1];
  if (prefix === undefined || ID_PREFIX.test(prefix) || /^\s*[:)\]]/.test(after)) return true;
  return (idPrefixes(ctx).get(prefix)?.size ?? 0) >= 2;
}

/** Each `Word-` prefix on the board and the numbers it is used with, counted once per board. */
function idPrefixes(ctx: Context): Map<string, Set<string>> {
  if (ctx.idPrefixes) return ctx.idPrefixes;
  const prefixes = new Map<string, Set<string>>();
  for (const match of ctx.text.matchAll(/\b([A-Z][A-Za-z0-9]*)-(\d+)/g)) {
    let numbers = prefixes.get(match[1]!);
    if (!numbers) prefixes.set(match[1]!, (numbers = new Set()));
    numbers.add(match[2]!);
  }
  return (ctx.idPrefixes = prefixes);
}

export function explicit(id: string, title: string, inline: Inline): Identity {
  return { id: id.replace(/[`*]/g, ''), explicitId: true, title: title.trim(), ...people(inline) };
}

/** `@name` assignees and `#tag` tags of the text, outside code. */
function people(inline: Inline): { assignees: string[]; tags: string[] } {
  const text = inline.map((t) => (t.type === 'text' ? t.content : ' ')).join('');
  const assignees = [...text.matchAll(/(?:^|[\s(])@([A-Za-z0-9_][\w.-]*[\w])/g)].map((m) => m[1]!);
  const tags = [...text.matchAll(/(?:^|\s)#([A-Za-z][\w/-]*)/g)].map((m) => m[1]!);
  return { assignees: [...new Set(assignees)], tags: [...new Set(tags)] };
}

export function addTask(ctx: Context, task: Task): void {
  const other = ctx.byId.get(task.id);
  if (other) ctx.duplicates.push({ id: task.id, first: other.line, line: task.line });
  else ctx.byId.set(task.id, task);
  if (task.parent !== null) ctx.byId.get(task.parent)?.children.push(task.id);
  if (task.kind === 'heading') ctx.lastHeadingTask = task;
  ctx.board.tasks.push(task);
}

export function inlineText(ctx: Context, source: string): string {
  return plainOf(ctx.parser.inline(source));
}
