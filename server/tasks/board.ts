import { createHash } from 'node:crypto';
import type { Heading, List, ListItem, Nodes, Paragraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import { MARKS, statusOfHeading, statusOfText, type TaskStatus } from './status';

/** A source range: offsets into the board's text. */
export interface Span {
  start: number;
  end: number;
}

export interface Task {
  /** The id written in the task (`T-12`, `TASK-3`, `1.2.3`, `#12`), else a derived `h-xxxxxx`. */
  id: string;
  explicitId: boolean;
  title: string;
  status: TaskStatus;
  /** What the status was read from. */
  statusFrom: 'checkbox' | 'mark' | 'strikethrough' | 'heading' | 'cell' | 'field';
  kind: 'list' | 'table' | 'heading';
  /** 1-based line of the task's first line. */
  line: number;
  /** The whole task in the source: a list item with its sub-items, a table row, a heading's section. */
  span: Span;
  /** Its first line, up to (not including) the line ending. */
  firstLine: Span;
  parent: string | null;
  children: string[];
  assignees: string[];
  tags: string[];
  /** The nearest heading above it. */
  section: string | null;
  /** The checkbox's mark character (list tasks with a box). */
  mark?: Span;
  /** The status cell's text (table tasks) or the status field's value (heading tasks). */
  statusText?: Span;
  /** The column a list item's content starts at: sub-items go at least this far in. */
  contentIndent?: number;
  /** For list tasks under a status heading: the heading's section, so a status change can move it. */
  lane?: number;
}

export interface BoardHeading {
  text: string;
  depth: number;
  status: TaskStatus | undefined;
  span: Span;
  /** Where its section ends: the next heading of the same or a higher level, or the end. */
  sectionEnd: number;
  line: number;
}

export interface Board {
  text: string;
  tasks: Task[];
  headings: BoardHeading[];
  /** Duplicate explicit ids and the like: reported, never fatal. */
  warnings: string[];
  eol: '\n' | '\r\n';
}

export interface ParseOptions {
  /** Extra heading names and the status they mean (config), e.g. { "Icebox": "todo" }. */
  headingStatus?: Record<string, TaskStatus>;
}

type Parse = (text: string) => Root;

const STATUS_HEADER = /^(status|state|estado|estado actual|stato|statut|tila|状态|状態|狀態|stand)$/i;
const ID_HEADER = /^(id|#|no\.?|nr\.?|task id|key|ticket|编号|番号)$/i;
const TITLE_HEADER = /^(task|title|name|summary|item|feature|tehtävä|tarea|tarefa|aufgabe|任务|タスク|description|method)$/i;
const STATUS_FIELD = /^\s*(?:[-*+]\s+)?\**\s*(status|state|estado|stand|状态|状態)\s*\**\s*[:：]\s*\**\s*/i;
const TOTAL_ROW = /^(total|totals|sum|summe|gesamt|yhteensä|总计|合计|合計|total geral)$/i;
const LEGEND = /legend|leyenda|legende|图例|凡例/i;

/**
 * Reads a task board from its markdown with a real parser (micromark + mdast, GFM, front matter)
 * and the source positions it keeps. Tasks: GFM task-list items at any depth (and the common
 * `[~]`, `[/]`, `[-]`, `[!]` marks), top-level items of lists under status headings (kanban
 * lanes), rows of tables with a status column, and headings whose section states a `Status:`.
 * Code blocks, HTML comments and front matter are nodes of their own and never yield tasks.
 */
export function readBoard(text: string, parse: Parse, options: ParseOptions = {}): Board {
  const tree = parse(text);
  const lines = lineStarts(text);
  const board: Board = { text, tasks: [], headings: [], warnings: [], eol: /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n' };
  const headings = tree.children.filter((n): n is Heading => n.type === 'heading');
  const titles = headings.filter((h) => h.depth === 1).length;
  for (const [i, heading] of headings.entries()) {
    const next = headings.slice(i + 1).find((h) => h.depth <= heading.depth);
    const title = plain(heading.children);
    // A heading without a status of its own sits in its parent's lane (`## Next Commit` under `# Done`).
    // A lone top-level heading is the document's title (`# TODO`): its lane is its own items only.
    const parent = [...board.headings].reverse().find((h) => h.depth < heading.depth && !(h.depth === 1 && titles === 1));
    const status = statusOfHeading(title, options.headingStatus) ?? parent?.status;
    board.headings.push({ text: title, depth: heading.depth, status, span: span(heading), sectionEnd: next ? span(next).start : text.length, line: heading.position!.start.line });
  }
  const context = { board, lines, text, usedIds: new Map<string, number>() };
  const headingAt = (offset: number): BoardHeading | undefined => [...board.headings].reverse().find((h) => h.span.start <= offset);
  for (const [index, node] of tree.children.entries()) {
    if (node.type === 'heading') {
      const task = headingTask(context, node, tree.children.slice(index + 1));
      if (task) addTask(context, task);
      continue;
    }
    const heading = headingAt(span(node).start);
    if (heading && LEGEND.test(heading.text)) continue;
    // A heading task's own list items are its subtasks.
    const owner = [...context.board.tasks].reverse().find((t) => t.kind === 'heading' && t.span.start < span(node).start && span(node).end <= t.span.end);
    if (node.type === 'list') readList(context, node, heading, owner?.id ?? null, 0);
    if (node.type === 'table') readTable(context, node, heading);
  }
  return board;
}

interface Context {
  board: Board;
  lines: number[];
  text: string;
  usedIds: Map<string, number>;
}

function readList(ctx: Context, list: List, heading: BoardHeading | undefined, parent: string | null, depth: number): void {
  for (const item of list.children) {
    const task = listTask(ctx, item, heading, parent, depth);
    if (task) addTask(ctx, task);
    for (const child of item.children) if (child.type === 'list') readList(ctx, child, heading, task?.id ?? parent, task ? depth + 1 : depth);
  }
}

function listTask(ctx: Context, item: ListItem, heading: BoardHeading | undefined, parent: string | null, depth: number): Task | undefined {
  const first = item.children[0];
  const itemSpan = span(item);
  const contentStart = first ? span(first).start : itemSpan.end;
  let status: TaskStatus | undefined;
  let statusFrom: Task['statusFrom'] = 'checkbox';
  let mark: Span | undefined;
  let skipTitle = 0;
  if (item.checked !== null && item.checked !== undefined) {
    // GFM saw `[ ]` or `[x]` between the bullet and the content.
    const box = ctx.text.lastIndexOf('[', contentStart);
    mark = { start: box + 1, end: box + 2 };
    status = item.checked ? 'done' : undefined;
  } else if (first?.type === 'paragraph') {
    const custom = /^\[([~/!-])\][ \t]/.exec(ctx.text.slice(contentStart, contentStart + 5));
    if (custom) {
      mark = { start: contentStart + 1, end: contentStart + 2 };
      status = MARKS[custom[1]!];
      statusFrom = 'mark';
      skipTitle = 4;
    }
  }
  const isTask = mark !== undefined || (depth === 0 && parent === null && heading?.status !== undefined && first?.type === 'paragraph');
  if (!isTask) return undefined;
  const paragraph = first?.type === 'paragraph' ? first : undefined;
  if (status === undefined && paragraph && isStruckThrough(paragraph)) {
    status = 'done';
    statusFrom = 'strikethrough';
  }
  if (status === undefined) {
    if (heading?.status !== undefined && depth === 0) {
      status = heading.status;
      statusFrom = mark ? 'checkbox' : 'heading';
    } else status = 'todo';
  }
  const text = paragraph ? plain(paragraph.children).slice(skipTitle) : '';
  const firstLineEnd = lineEnd(ctx.text, contentStart);
  return {
    ...identify(ctx, text.split('\n')[0]!.trim(), paragraph?.children ?? []),
    status,
    statusFrom,
    kind: 'list',
    line: item.position!.start.line,
    span: { start: ctx.lines[item.position!.start.line - 1]!, end: itemSpan.end },
    firstLine: { start: ctx.lines[item.position!.start.line - 1]!, end: firstLineEnd },
    parent,
    children: [],
    section: heading?.text ?? null,
    ...(mark ? { mark } : {}),
    contentIndent: contentStart - ctx.lines[item.position!.start.line - 1]!,
    ...(heading?.status !== undefined && depth === 0 && parent === null ? { lane: ctx.board.headings.indexOf(heading) } : {}),
  };
}

function readTable(ctx: Context, table: Table, heading: BoardHeading | undefined): void {
  const [header, ...rows] = table.children;
  if (!header) return;
  const names = header.children.map((cell) => plain(cell.children).trim());
  const statusColumn = names.findIndex((n) => STATUS_HEADER.test(n));
  if (statusColumn < 0) return;
  const idColumn = names.findIndex((n) => ID_HEADER.test(n));
  let titleColumn = names.findIndex((n, i) => i !== idColumn && i !== statusColumn && TITLE_HEADER.test(n));
  if (titleColumn < 0) titleColumn = names.findIndex((_, i) => i !== idColumn && i !== statusColumn);
  for (const row of rows) {
    const cells = row.children.map((cell) => plain(cell.children).trim());
    const title = cells[titleColumn] ?? '';
    const idCell = idColumn >= 0 ? cells[idColumn] ?? '' : '';
    if ((title === '' && idCell === '') || TOTAL_ROW.test(title)) continue;
    const statusCell = row.children[statusColumn];
    const cellText = statusCell ? cellTextSpan(ctx.text, statusCell) : undefined;
    const named = statusOfText(cells[statusColumn] ?? '');
    const rowSpan = span(row);
    const identity = idCell !== '' ? explicit(ctx, idCell.replace(/[`*]/g, ''), title) : identify(ctx, title, titleColumn >= 0 ? (row.children[titleColumn]?.children ?? []) : []);
    addTask(ctx, {
      ...identity,
      // A table under a status heading is a kanban lane: where the row sits wins over a stale cell.
      status: heading?.status ?? named ?? 'todo',
      statusFrom: heading?.status ? 'heading' : 'cell',
      kind: 'table',
      line: row.position!.start.line,
      span: rowSpan,
      firstLine: rowSpan,
      parent: null,
      children: [],
      section: heading?.text ?? null,
      ...(cellText ? { statusText: cellText } : {}),
    });
  }
}

/** A heading whose section states `Status: …` (before any sub-heading) is a task itself. */
function headingTask(ctx: Context, heading: Heading, after: RootContent[]): Task | undefined {
  if (heading.depth < 2) return undefined;
  const board = ctx.board.headings.find((h) => h.span.start === span(heading).start)!;
  const until = after.findIndex((n) => n.type === 'heading');
  const body = until < 0 ? after : after.slice(0, until);
  // The field is a paragraph line or a top-level list item: `Status: Done`, `- **Status:** ✅ done`.
  const candidates: Span[] = [];
  for (const node of body) {
    if (node.type === 'paragraph') {
      for (let at = span(node).start; at < span(node).end; at = lineEnd(ctx.text, at) + (ctx.text[lineEnd(ctx.text, at)] === '\r' ? 2 : 1)) candidates.push({ start: at, end: Math.min(lineEnd(ctx.text, at), span(node).end) });
    } else if (node.type === 'list') for (const item of node.children) candidates.push({ start: span(item).start, end: lineEnd(ctx.text, span(item).start) });
  }
  for (const line of candidates) {
    const field = STATUS_FIELD.exec(ctx.text.slice(line.start, line.end));
    if (!field) continue;
    const valueStart = line.start + field[0].length;
    const valueEnd = line.start + ctx.text.slice(line.start, line.end).replace(/[\s*]+$/, '').length;
    const status = statusOfText(ctx.text.slice(valueStart, valueEnd));
    if (status === undefined) continue;
    const title = board.text.trim();
    const identity = identify(ctx, title, heading.children);
    // A section that details a task listed elsewhere (same id) is that task, not another.
    if (identity.explicitId && ctx.board.tasks.some((t) => t.id === identity.id)) return undefined;
    return {
      ...identity,
      status,
      statusFrom: 'field',
      kind: 'heading',
      line: board.line,
      span: { start: board.span.start, end: board.sectionEnd },
      firstLine: board.span,
      parent: null,
      children: [],
      section: title,
      statusText: { start: valueStart, end: Math.max(valueStart, valueEnd) },
    };
  }
  return undefined;
}

type Identity = Pick<Task, 'id' | 'explicitId' | 'title' | 'assignees' | 'tags'>;

const EXPLICIT_ID = /^(?:\[[^\]]*\]\s*)?(?:\*\*|`)?([A-Z][A-Za-z0-9]*-\d+[A-Za-z0-9.-]*|#\d+|[A-Z]?\d+(?:\.\d+)+|[a-z]\d{3,})(?:\*\*|`)?(?=$|[\s:.)—–-])[\s:.)—–-]*/;

function identify(ctx: Context, title: string, inline: readonly Nodes[]): Identity {
  const found = EXPLICIT_ID.exec(title);
  if (found) return explicit(ctx, found[1]!, title.slice(found[0].length) || title, inline);
  const normalized = title.toLowerCase().replace(/\s+/g, ' ').trim();
  let id = `h-${createHash('sha256').update(normalized).digest('hex').slice(0, 6)}`;
  const seen = ctx.usedIds.get(id) ?? 0;
  ctx.usedIds.set(id, seen + 1);
  if (seen > 0) id = `${id}-${seen + 1}`;
  return { id, explicitId: false, title, ...people(inline, title) };
}

function explicit(ctx: Context, id: string, title: string, inline: readonly Nodes[] = []): Identity {
  return { id, explicitId: true, title: title.trim(), ...people(inline, title) };
}

/** `@name` assignees and `#tag` tags of the text, outside code. */
function people(inline: readonly Nodes[], fallback: string): { assignees: string[]; tags: string[] } {
  const text = inline.length > 0 ? plain(inline, true) : fallback;
  const assignees = [...text.matchAll(/(?:^|[\s(])@([A-Za-z0-9_][\w.-]*[\w])/g)].map((m) => m[1]!);
  const tags = [...text.matchAll(/(?:^|\s)#([A-Za-z][\w/-]*)/g)].map((m) => m[1]!);
  return { assignees: [...new Set(assignees)], tags: [...new Set(tags)] };
}

function addTask(ctx: Context, task: Task): void {
  if (task.explicitId) {
    const other = ctx.board.tasks.find((t) => t.id === task.id);
    if (other) ctx.board.warnings.push(`duplicate id ${task.id} on lines ${other.line} and ${task.line}; the first one is used`);
  }
  const parent = task.parent === null ? undefined : ctx.board.tasks.find((t) => t.id === task.parent);
  parent?.children.push(task.id);
  ctx.board.tasks.push(task);
}

/** The text of inline content: code and HTML left out when asked (for @ and # scanning). */
function plain(nodes: readonly Nodes[], withoutCode = false): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.value;
    else if (node.type === 'inlineCode') out += withoutCode ? ' ' : node.value;
    else if (node.type === 'break') out += '\n';
    else if (node.type === 'html') out += withoutCode ? ' ' : '';
    else if ('children' in node) out += plain(node.children as Nodes[], withoutCode);
  }
  return out;
}

function isStruckThrough(paragraph: Paragraph): boolean {
  const meaningful = paragraph.children.filter((c: PhrasingContent) => !(c.type === 'text' && c.value.trim() === '') && c.type !== 'break');
  return meaningful.length === 1 && meaningful[0]!.type === 'delete';
}

/** A table cell's text without its padding: what a status rewrite replaces. */
function cellTextSpan(text: string, cell: Nodes): Span {
  const { start, end } = span(cell);
  let s = start;
  let e = end;
  while (s < e && (text[s] === '|' || text[s] === ' ' || text[s] === '\t')) s++;
  while (e > s && (text[e - 1] === '|' || text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
  return { start: s, end: e };
}

function span(node: Nodes): Span {
  return { start: node.position!.start.offset!, end: node.position!.end.offset! };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  const end = newline < 0 ? text.length : newline;
  return text[end - 1] === '\r' ? end - 1 : end;
}
