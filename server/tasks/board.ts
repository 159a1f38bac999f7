import { createHash } from 'node:crypto';
import type { Block, MarkdownParser } from './markdown';
import { cells, isStruckThrough, lastContentEnd, lineEnd, lineStarts, plainOf, type Inline } from './source';
import { MARKS, statusOfHeading, type ReadStatus, type TaskStatus } from './status';
import { addConfigured, emptyVocabulary, phraseOf, readLegendLine, statusOf, type Vocabulary } from './vocabulary';

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
  /** `other` when a `Status:` field says something Corral does not know: its words are at `statusText`. */
  status: ReadStatus;
  /** The status words of an `other` task, as written. */
  otherStatus?: string;
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
  /** The title cell's text (table tasks): where an assignee is added when there is no owner column. */
  titleText?: Span;
  /** The owner cell's text (table tasks) or the `Owner:` field's value (heading tasks): where an assignee is written. */
  ownerText?: Span;
  /** The column a list item's content starts at: sub-items go this far in. */
  contentIndent?: number;
  /** For tasks sitting directly in a status heading's section (a kanban lane): that heading's index. */
  lane?: number;
}

export interface BoardHeading {
  text: string;
  depth: number;
  status: TaskStatus | undefined;
  /** True when the status comes from a heading above it (`### Next Commit` under `# Done`), not its own words. */
  inherited: boolean;
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
  /** Its own status words (configured, from its legend): read before Corral's, written in edits. */
  vocabulary: Vocabulary;
}

export interface ParseOptions {
  /** Extra heading names and the status they mean (config), e.g. { "Icebox": "todo" }. */
  headingStatus?: Record<string, TaskStatus>;
  /** The words to write for statuses (config), e.g. { "done": "Erledigt" }; also read as those statuses. */
  words?: Partial<Record<TaskStatus, string>>;
}

const STATUS_HEADER = /^(status|state|stage|estado|estado actual|estatus|resultado|situação|situación|stato|statut|état|etat|zustand|tila|状态|状態|狀態|进度|進捗|stand)(?:\s*\([^)]*\))?$/i;
const OWNER_HEADER = /^(owner|owners|assignee|assignees|assigned to|assigned|who|responsible|responsable|responsável|verantwortlich|zuständig|vastuuhenkilö|负责人|担当|担当者)$/i;
const LEADING_SYMBOLS = /^[^\p{L}\p{N}#]+/u;
const PLACEHOLDER = /^[(_*]*(?:none|nothing(?: yet)?|nenhuma?|ningun[oa]?|nada|keine|aucune?|rien|empty|vazio|vac[ií]o|n\/a|tbd|—|–|-|…|\.\.\.)[)_*.!]*$/i;
/** A cell listing other tasks' ids ("HU-01, HU-02", "TT-01 a TT-07"): a reference to them, not a task. */
const ID_LIST = /^[A-Z][A-Za-z]*-\d+(?:\s*(?:,|;|\/|&|a|to|bis|até|à|–|—|-|y|e|and|und)\s*[A-Z][A-Za-z]*-\d+)+$/;
const ID_HEADER = /^(id|#|no\.?|nr\.?|task id|key|ticket|编号|番号)$/i;
const TITLE_HEADER = /^(task|title|name|summary|item|feature|tehtävä|tarea|tarefa|aufgabe|任务|タスク|description|method)$/i;
const STATUS_FIELD = /^\s*(?:[-*+]\s+)?[*_]*\s*(status|state|estado|stand|状态|状態)\s*[*_]*\s*[:：]\s*[*_]*\s*/i;
const TOTAL_ROW = /^(total|totals|sum|summe|gesamt|yhteensä|总计|合计|合計|total geral)$/i;
const LEGEND = /legend|leyenda|legende|图例|凡例/i;
const BOX = /^\[([ xX~/!-])\](?:[ \t]|$)/;
const BULLET = /^((?:[ \t]*>)*[ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)/;

/**
 * Reads a task board with a real markdown parser (markdown-it: CommonMark, GFM tables and
 * strikethrough, front matter) and the source lines it maps every block to. Tasks: GFM
 * task-list items at any depth (and the common `[~]`, `[/]`, `[-]`, `[!]` marks), top-level
 * items of lists in status sections (kanban lanes), rows of tables with a status column, and
 * headings whose section states a `Status:`. Code blocks, HTML and front matter are blocks of
 * their own and never yield tasks.
 */
export function readBoard(text: string, parser: MarkdownParser, options: ParseOptions = {}): Board {
  const blocks = parser.blocks(text);
  const lines = lineStarts(text);
  const firstNewline = text.indexOf('\n');
  const board: Board = { text, tasks: [], headings: [], warnings: [], eol: firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n', vocabulary: emptyVocabulary() };
  const ctx: Context = { board, text, lines, parser, usedIds: new Map(), byId: new Map(), duplicates: [] };
  readHeadings(ctx, blocks, options);
  addConfigured(board.vocabulary, options.words ?? {});
  readLegends(ctx, blocks);

  // Open list items: the task each one is (or null), so nested items know their parent.
  const items: (string | null)[] = [];
  // Blocks come in document order: the section a block is in only moves forward.
  let section = -1;
  const headingAt = (line: number): BoardHeading | undefined => {
    while (section + 1 < board.headings.length && board.headings[section + 1]!.line <= line + 1) section++;
    return board.headings[section];
  };
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === 'heading_open' && block.level === 0) {
      const task = headingTask(ctx, blocks, i);
      if (task) addTask(ctx, task);
    } else if (block.type === 'list_item_open') {
      const heading = headingAt(block.map![0]);
      const parent = [...items].reverse().find((id) => id !== null) ?? headingOwner(ctx, lines[block.map![0]]!);
      const inLegend = heading !== undefined && LEGEND.test(heading.text);
      const task = inLegend ? undefined : listTask(ctx, blocks, i, heading, section, parent ?? null, items.length);
      if (task) addTask(ctx, task);
      items.push(task?.id ?? null);
    } else if (block.type === 'list_item_close') items.pop();
    else if ((block.type === 'bullet_list_open' || block.type === 'ordered_list_open') && items.length === 0) ctx.struckList = hasStruckItem(ctx, blocks, i);
    else if (block.type === 'table_open') i = readTable(ctx, blocks, i, headingAt(block.map![0]), section);
  }
  reportDuplicates(ctx);
  return board;
}

/** Duplicate ids: one warning each when there are a few, one warning with a count when there are many. */
function reportDuplicates(ctx: Context): void {
  const { duplicates } = ctx;
  if (duplicates.length <= 3) {
    for (const d of duplicates) ctx.board.warnings.push(`duplicate id ${d.id} on lines ${d.first} and ${d.line}; the first one is used`);
    return;
  }
  const examples = duplicates
    .slice(0, 3)
    .map((d) => `${d.id} on lines ${d.first} and ${d.line}`)
    .join(', ');
  ctx.board.warnings.push(`${duplicates.length.toLocaleString('en-US')} tasks repeat an id already on the board (${examples}, …); the first task with each id is used`);
}

interface Context {
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

function readHeadings(ctx: Context, blocks: Block[], options: ParseOptions): void {
  const found = blocks.flatMap((b, i) => (b.type === 'heading_open' && b.level === 0 ? [{ depth: b.markup === '=' ? 1 : b.markup === '-' ? 2 : b.markup.length, map: b.map!, text: inlineText(ctx, blocks[i + 1]!.content) }] : []));
  const titles = found.filter((h) => h.depth === 1).length;
  for (const [i, heading] of found.entries()) {
    const next = found.slice(i + 1).find((h) => h.depth <= heading.depth);
    // A heading without a status of its own sits in its parent's lane (`### Next Commit` under `# Done`);
    // a lone top-level heading is the document's title (`# TODO`): its lane is its own items only.
    const parent = [...ctx.board.headings].reverse().find((h) => h.depth < heading.depth && !(h.depth === 1 && titles === 1));
    const own = statusOfHeading(heading.text, options.headingStatus, parent?.status !== undefined);
    ctx.board.headings.push({
      text: heading.text.trim(),
      depth: heading.depth,
      status: own ?? parent?.status,
      inherited: own === undefined,
      span: { start: ctx.lines[heading.map[0]]!, end: lineEnd(ctx.text, ctx.lines[heading.map[1] - 1]!) },
      sectionEnd: next ? ctx.lines[next.map[0]]! : ctx.text.length,
      line: heading.map[0] + 1,
    });
  }
}

/** A line that may list status symbols and their words: cheap to test on every paragraph line. */
const MAYBE_LEGEND = /[·•;,|]|\s{3}|legend|leyenda|légende|图例|凡例/i;

/**
 * The board's legends, before any task is read: lines of a Legend section (paragraphs, items,
 * table rows), a line labelled "Legend:", or a line of several "symbol word" pairs.
 */
function readLegends(ctx: Context, blocks: Block[]): void {
  const sections = ctx.board.headings.filter((h) => LEGEND.test(h.text)).map((h) => [h.line, ctx.text.slice(0, h.sectionEnd).split('\n').length] as const);
  for (const block of blocks) {
    if (block.type !== 'paragraph_open' && block.type !== 'list_item_open' && block.type !== 'tr_open') continue;
    const [first, last] = block.map!;
    const labelled = sections.some(([from, to]) => first + 1 > from && first + 1 <= to);
    if (block.type === 'tr_open' && !labelled) continue;
    for (let line = first; line < (block.type === 'paragraph_open' ? last : first + 1); line++) {
      const start = ctx.lines[line]!;
      let source = ctx.text.slice(start, lineEnd(ctx.text, start));
      if (!labelled && !(MAYBE_LEGEND.test(source) && /[^\p{ASCII}]/u.test(source))) continue;
      if (block.type === 'tr_open') source = cells(ctx.text, start).map((c) => ctx.text.slice(c.start, c.end)).join(' ');
      readLegendLine(ctx.board.vocabulary, source, labelled);
    }
  }
}

/** A line item whose text starts struck through (`- ~~done thing~~`). */
const STRUCK_ITEM = /^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+~~\S/;

/** Whether a top-level list (at `index`) has an item struck through as a whole: then it is a list of tasks. */
function hasStruckItem(ctx: Context, blocks: Block[], index: number): boolean {
  const level = blocks[index]!.level;
  for (let i = index + 1; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.level === level && (block.type === 'bullet_list_close' || block.type === 'ordered_list_close')) return false;
    if (block.type !== 'list_item_open' || block.level !== level + 1) continue;
    const start = ctx.lines[block.map![0]]!;
    if (!STRUCK_ITEM.test(ctx.text.slice(start, lineEnd(ctx.text, start)))) continue;
    const paragraph = blocks[i + 2];
    if (paragraph?.type === 'inline' && isStruckThrough(ctx.parser.inline(paragraph.content))) return true;
  }
  return false;
}

/** The heading task whose section holds `offset`: its top-level list items are its subtasks. */
function headingOwner(ctx: Context, offset: number): string | undefined {
  const owner = ctx.lastHeadingTask;
  return owner && owner.span.start < offset && offset < owner.span.end ? owner.id : undefined;
}

function listTask(ctx: Context, blocks: Block[], index: number, heading: BoardHeading | undefined, headingIndex: number, parent: string | null, depth: number): Task | undefined {
  const item = blocks[index]!;
  const [first, last] = item.map!;
  const lineStart = ctx.lines[first]!;
  const firstLineEnd = lineEnd(ctx.text, lineStart);
  const bullet = BULLET.exec(ctx.text.slice(lineStart, firstLineEnd));
  const paragraph = blocks[index + 1]?.type === 'paragraph_open' && blocks[index + 1]!.map![0] === first ? blocks[index + 2] : undefined;
  if (!bullet || !paragraph) return undefined;
  const contentStart = lineStart + bullet[0].length;
  const firstLine = ctx.text.slice(contentStart, firstLineEnd);
  const box = BOX.exec(firstLine);
  const inLane = depth === 0 && parent === null && heading?.status !== undefined;
  // A list whose done items are struck through: its other items are the ones still to do.
  const struckList = !box && !inLane && depth === 0 && parent === null && ctx.struckList === true;
  if (!box && !inLane && !struckList) return undefined;
  let status: TaskStatus | undefined;
  let statusFrom: Task['statusFrom'] = 'checkbox';
  if (box && box[1] !== ' ') {
    status = MARKS[box[1]!];
    statusFrom = box[1] === 'x' || box[1] === 'X' ? 'checkbox' : 'mark';
  }
  const titleSource = box ? firstLine.slice(box[0].length) : firstLine;
  // "- None" in an empty lane says there is nothing there; it is not a card.
  if (!box && PLACEHOLDER.test(titleSource.trim())) return undefined;
  const inline = ctx.parser.inline(titleSource);
  if (status === undefined && (isStruckThrough(inline) || (struckList && titleSource.startsWith('~~') && isStruckThrough(ctx.parser.inline(paragraph.content))))) {
    status = 'done';
    statusFrom = 'strikethrough';
  }
  if (status === undefined && struckList) statusFrom = 'strikethrough';
  if (status === undefined) {
    if (inLane) {
      status = heading!.status!;
      statusFrom = box ? 'checkbox' : 'heading';
    } else status = 'todo';
  }
  // Built field by field, not by spreading: this runs for every task of a megabyte board.
  // An item struck through over several lines: its first line still shows the opening `~~`.
  const plain = plainOf(inline).trim();
  const identity = identify(ctx, statusFrom === 'strikethrough' && plain.startsWith('~~') ? plain.slice(2) : plain, inline);
  const owner = last - first > 1 ? ownerField(ctx, first + 1, last) : undefined;
  if (owner) identity.assignees = [...new Set([...owner.names, ...identity.assignees])];
  const task: Task = {
    id: identity.id,
    explicitId: identity.explicitId,
    title: identity.title,
    assignees: identity.assignees,
    tags: identity.tags,
    status,
    statusFrom,
    kind: 'list',
    line: first + 1,
    span: { start: lineStart, end: lastContentEnd(ctx.text, ctx.lines, first, last) },
    firstLine: { start: lineStart, end: firstLineEnd },
    parent,
    children: [],
    section: heading?.text ?? null,
    contentIndent: bullet[0].length,
  };
  if (box) task.mark = { start: contentStart + 1, end: contentStart + 2 };
  if (owner) task.ownerText = owner.span;
  if (inLane) task.lane = headingIndex;
  return task;
}

/**
 * Reads a table's rows as tasks when it has a status column (by its header, or by values that are
 * statuses) or sits in a kanban lane; returns the index of its last token.
 */
function readTable(ctx: Context, blocks: Block[], index: number, heading: BoardHeading | undefined, headingIndex: number): number {
  let end = index;
  while (end < blocks.length && blocks[end]!.type !== 'table_close') end++;
  const rows = blocks.slice(index, end).filter((b) => b.type === 'tr_open').map((b) => b.map![0]);
  const [headerLine, ...bodyLines] = rows;
  if (headerLine === undefined) return end;
  const names = cells(ctx.text, ctx.lines[headerLine]!).map((c) => inlineText(ctx, ctx.text.slice(c.start, c.end)).replace(LEADING_SYMBOLS, '').trim());
  const bodies = bodyLines.map((line) => cells(ctx.text, ctx.lines[line]!));
  const cellText = (row: Span[], i: number): string => (row[i] ? inlineText(ctx, ctx.text.slice(row[i]!.start, row[i]!.end)).trim() : '');
  const idColumn = names.findIndex((n) => ID_HEADER.test(n));
  let statusColumn = names.findIndex((n) => STATUS_HEADER.test(n));
  // A Status column of "🟢 Running" and "🟢 Available" describes services, not tasks.
  if (statusColumn >= 0 && !hasStatuses(ctx, bodies, statusColumn)) statusColumn = -1;
  if (statusColumn < 0) statusColumn = statusColumnByValues(ctx, names, bodies, idColumn);
  // A lone top-level heading is the document's title, not a lane: a table with statuses of its own keeps them there.
  const title = heading !== undefined && heading.depth === 1 && ctx.board.headings.filter((h) => h.depth === 1).length === 1;
  const inLane = heading?.status !== undefined && !(title && statusColumn >= 0);
  if (statusColumn < 0 && (!inLane || title)) return end;
  const ownerColumn = names.findIndex((n) => OWNER_HEADER.test(n));
  const taken = (i: number): boolean => i === idColumn || i === statusColumn || i === ownerColumn;
  let titleColumn = names.findIndex((n, i) => !taken(i) && TITLE_HEADER.test(n));
  if (titleColumn < 0) titleColumn = names.findIndex((_, i) => !taken(i));
  for (const [r, line] of bodyLines.entries()) {
    const row = bodies[r]!;
    const rowTitle = cellText(row, titleColumn);
    const idCell = idColumn >= 0 ? cellText(row, idColumn) : '';
    if ((rowTitle === '' && idCell === '') || TOTAL_ROW.test(rowTitle) || TOTAL_ROW.test(idCell) || ID_LIST.test(idCell || rowTitle)) continue;
    const named = statusColumn >= 0 ? statusOf(cellText(row, statusColumn), ctx.board.vocabulary) : undefined;
    const titleInline = row[titleColumn] ? ctx.parser.inline(ctx.text.slice(row[titleColumn]!.start, row[titleColumn]!.end)) : [];
    const rowSpan = { start: ctx.lines[line]!, end: lineEnd(ctx.text, ctx.lines[line]!) };
    const identity = idCell !== '' ? explicit(idCell, rowTitle, titleInline) : identify(ctx, rowTitle, titleInline);
    const owners = ownerColumn >= 0 ? namesIn(cellText(row, ownerColumn)) : [];
    if (owners.length > 0) identity.assignees = [...new Set([...owners, ...identity.assignees])];
    addTask(ctx, {
      ...identity,
      // A table in a status section is a kanban lane: where the row sits wins over a stale cell.
      status: inLane ? heading.status! : (named ?? 'todo'),
      statusFrom: inLane ? 'heading' : 'cell',
      kind: 'table',
      line: line + 1,
      span: rowSpan,
      firstLine: rowSpan,
      parent: null,
      children: [],
      section: heading?.text ?? null,
      ...(statusColumn >= 0 && row[statusColumn] ? { statusText: row[statusColumn] } : {}),
      ...(row[titleColumn] ? { titleText: row[titleColumn] } : {}),
      ...(ownerColumn >= 0 && row[ownerColumn] ? { ownerText: row[ownerColumn] } : {}),
      ...(inLane ? { lane: headingIndex } : {}),
    });
  }
  return end;
}

/**
 * The column whose values are statuses ("✅ Done", "todo", "In progress") in most rows, when
 * exactly one column is: a feature matrix of ✅ and ❌ in several columns is not a board.
 */
function statusColumnByValues(ctx: Context, names: string[], bodies: Span[][], idColumn: number): number {
  if (bodies.length === 0) return -1;
  const found: number[] = [];
  for (let column = 0; column < names.length; column++) {
    if (column === idColumn) continue;
    let statuses = 0;
    let filled = 0;
    for (const row of bodies) {
      const span = row[column];
      if (!span || span.end === span.start) continue;
      filled++;
      if (isStatusCell(ctx, span)) statuses++;
    }
    if (filled > 0 && statuses * 3 >= bodies.length * 2 && statuses * 4 >= filled * 3) found.push(column);
  }
  return found.length === 1 ? found[0]! : -1;
}

/** Whether any cell of a column (or none is filled) reads as a status. */
function hasStatuses(ctx: Context, bodies: Span[][], column: number): boolean {
  const filled = bodies.map((row) => row[column]).filter((span): span is Span => span !== undefined && span.end > span.start);
  return filled.length === 0 || filled.some((span) => isStatusCell(ctx, span));
}

/**
 * A cell that is a status, perhaps with a date or a short note: "✅ Done (2026-10-12)", "todo",
 * a lone "✅". Not "🟢 Running" (a colour before words that are no status) nor a sentence that
 * happens to start with "New".
 */
function isStatusCell(ctx: Context, span: Span): boolean {
  const text = ctx.text.slice(span.start, span.end);
  const phrase = phraseOf(text, ctx.board.vocabulary);
  if (!phrase || span.end - span.start > phrase.phrase.length + 24) return false;
  return /\p{L}/u.test(phrase.phrase) || !/\p{L}/u.test(text);
}

const OWNER_FIELD = /^([ \t>]*(?:[-*+][ \t]+)?[*_]*(?:owner|owners|assignee|assignees|assigned to|responsable|responsible|responsável|verantwortlich|zuständig|担当|担当者|负责人)[*_]*[ \t]*[:：][ \t]*[*_]*[ \t]*)(.*?)[*_ \t]*$/i;

/**
 * The `Owner:` / `Assignee:` field among lines [from, to) of a task (its detail bullets or its
 * section's lines), before any sub-task, sub-heading or code block: who it names and where.
 */
function ownerField(ctx: Context, from: number, to: number): { names: string[]; span: Span } | undefined {
  for (let line = from; line < Math.min(to, ctx.lines.length); line++) {
    const start = ctx.lines[line]!;
    const source = ctx.text.slice(start, lineEnd(ctx.text, start));
    if (/^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+\[[ xX~/!-]\]|^[ \t]*(?:#{1,6}[ \t]|```|~~~)/.test(source)) return undefined;
    if (!source.includes(':') && !source.includes('：')) continue;
    const field = OWNER_FIELD.exec(source);
    if (!field) continue;
    const valueStart = start + field[1]!.length;
    return { names: namesIn(plainOf(ctx.parser.inline(field[2]!))), span: { start: valueStart, end: valueStart + field[2]!.length } };
  }
  return undefined;
}

/** People named in an Owner cell or field: "@ana", "ana, ben", "Ana & Ben"; not "-", "TBD" or "—". */
function namesIn(text: string): string[] {
  return text
    .split(/\s*(?:,|;|&|\/|\band\b|\+)\s*/)
    .map((n) => n.trim().replace(/^@/, ''))
    .filter((n) => /^[\p{L}\p{N}_][\p{L}\p{N}_.'’-]*(?: [\p{L}][\p{L}.'’-]*)?$/u.test(n) && !/^(tbd|tba|n\/a|none|nobody|unassigned|-+)$/i.test(n));
}

/** A heading whose section states `Status: …` (before any sub-heading) is a task itself. */
function headingTask(ctx: Context, blocks: Block[], index: number): Task | undefined {
  const heading = ctx.board.headings.find((h) => h.line === blocks[index]!.map![0] + 1)!;
  if (heading.depth < 2) return undefined;
  // The field is a line of a paragraph, or the first line of a top-level list item.
  const candidates: number[] = [];
  for (let i = index + 3; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === 'heading_open' && block.level === 0) break;
    if (block.type === 'paragraph_open' && block.level === 0) for (let l = block.map![0]; l < block.map![1]; l++) candidates.push(l);
    if (block.type === 'list_item_open' && block.level === 1) candidates.push(block.map![0]);
  }
  for (const line of candidates) {
    const start = ctx.lines[line]!;
    const source = ctx.text.slice(start, lineEnd(ctx.text, start));
    const field = STATUS_FIELD.exec(source);
    if (!field) continue;
    const valueStart = start + field[0].length;
    const valueEnd = start + source.replace(/[\s*_]+$/, '').length;
    const value = ctx.text.slice(valueStart, valueEnd);
    // Words Corral does not know still make the heading a task: listed as `other`, never dropped.
    const status: ReadStatus | undefined = statusOf(value, ctx.board.vocabulary) ?? (/[\p{L}\p{N}]/u.test(value) ? 'other' : undefined);
    if (status === undefined) continue;
    const identity = identify(ctx, heading.text, ctx.parser.inline(heading.text));
    // A section that details a task listed elsewhere (same id) is that task, not another.
    if (identity.explicitId && ctx.byId.has(identity.id)) return undefined;
    const owner = ownerField(ctx, heading.line, lineAt(ctx, heading.sectionEnd));
    if (owner) identity.assignees = [...new Set([...owner.names, ...identity.assignees])];
    return {
      ...(owner ? { ownerText: owner.span } : {}),
      ...identity,
      status,
      ...(status === 'other' ? { otherStatus: value.replace(/[`*_~]/g, '').trim() } : {}),
      statusFrom: 'field',
      kind: 'heading',
      line: heading.line,
      span: { start: heading.span.start, end: heading.sectionEnd },
      firstLine: heading.span,
      parent: null,
      children: [],
      section: heading.text,
      statusText: { start: valueStart, end: Math.max(valueStart, valueEnd) },
    };
  }
  return headingCard(ctx, blocks, index, heading);
}

/** A top-level item that is metadata of a card (`- due: 2025-07-14`, `- **tags:** [ui]`, `- defaultExpanded: false`). */
const BULLET_BOX = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX~/!-]\](?:[ \t]|$)/;
const METADATA_ITEM = /^[ \t]*[-*+][ \t]+[*_]*[\p{L}][\p{L}\p{N} _-]{0,30}[*_]*:(?:[ \t]|$)/u;

/**
 * A heading inside a kanban lane that is a card itself: its section holds prose, code or
 * metadata items (`- tags: […]`, `- defaultExpanded: false`, as VS Code kanban extensions write),
 * never boxes or tables of its own (then it is a group of cards, like "### Sprint 3").
 */
function headingCard(ctx: Context, blocks: Block[], index: number, heading: BoardHeading): Task | undefined {
  if (heading.depth < 2 || heading.status === undefined || !heading.inherited) return undefined;
  const at = ctx.board.headings.indexOf(heading);
  let lane = -1;
  for (let j = at - 1, depth = heading.depth; j >= 0; j--) {
    const h = ctx.board.headings[j]!;
    if (h.depth >= depth) continue;
    if (!h.inherited) {
      lane = j;
      break;
    }
    depth = h.depth;
  }
  if (lane < 0) return undefined;
  // Plain items (notes added later) may follow metadata; without any metadata they are the lane's cards.
  let items = 0;
  let metadata = 0;
  for (let i = index + 3; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === 'heading_open' && block.level === 0) break;
    if (block.type === 'table_open') return undefined;
    if (block.type === 'list_item_open' && block.level === 1) {
      const start = ctx.lines[block.map![0]]!;
      const line = ctx.text.slice(start, lineEnd(ctx.text, start));
      if (BULLET_BOX.test(line)) return undefined;
      items++;
      if (METADATA_ITEM.test(line)) metadata++;
    }
  }
  if (items > 0 && metadata === 0) return undefined;
  const identity = identify(ctx, heading.text, ctx.parser.inline(heading.text));
  if (identity.explicitId && ctx.byId.has(identity.id)) return undefined;
  const owner = ownerField(ctx, heading.line, lineAt(ctx, heading.sectionEnd));
  if (owner) identity.assignees = [...new Set([...owner.names, ...identity.assignees])];
  return {
    ...(owner ? { ownerText: owner.span } : {}),
    ...identity,
    status: heading.status,
    statusFrom: 'heading',
    kind: 'heading',
    line: heading.line,
    span: { start: heading.span.start, end: heading.sectionEnd },
    firstLine: heading.span,
    parent: null,
    children: [],
    section: ctx.board.headings[lane]!.text,
    lane,
  };
}

/** The 0-based line holding an offset (a binary search of the line starts). */
function lineAt(ctx: Context, offset: number): number {
  let low = 0;
  let high = ctx.lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (ctx.lines[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

type Identity = Pick<Task, 'id' | 'explicitId' | 'title' | 'assignees' | 'tags'>;

const EXPLICIT_ID = /^(?:\[[^\]]*\]\s*)?([A-Z][A-Za-z0-9]*-[A-Z]{0,4}\d+[A-Za-z0-9.-]*|#\d+|[A-Z]?\d+(?:\.\d+)+|[a-z]\d{3,})(?=$|[\s:.)—–-])[\s:.)—–-]*/;

function identify(ctx: Context, title: string, inline: Inline): Identity {
  const found = EXPLICIT_ID.exec(title);
  if (found && looksLikeId(ctx, found[1]!, title.slice(found[1]!.length))) return explicit(found[1]!, title.slice(found[0].length) || title, inline);
  // Stable across status changes, assignees and tags: only the words of the title count.
  const normalized = title.replace(/(^|[\s(])[@#][\w./-]+/g, ' ').toLowerCase().replace(/\s+/g, ' ').trim();
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

function explicit(id: string, title: string, inline: Inline): Identity {
  return { id: id.replace(/[`*]/g, ''), explicitId: true, title: title.trim(), ...people(inline) };
}

/** `@name` assignees and `#tag` tags of the text, outside code. */
function people(inline: Inline): { assignees: string[]; tags: string[] } {
  const text = inline.map((t) => (t.type === 'text' ? t.content : ' ')).join('');
  const assignees = [...text.matchAll(/(?:^|[\s(])@([A-Za-z0-9_][\w.-]*[\w])/g)].map((m) => m[1]!);
  const tags = [...text.matchAll(/(?:^|\s)#([A-Za-z][\w/-]*)/g)].map((m) => m[1]!);
  return { assignees: [...new Set(assignees)], tags: [...new Set(tags)] };
}

function addTask(ctx: Context, task: Task): void {
  const other = ctx.byId.get(task.id);
  if (other) ctx.duplicates.push({ id: task.id, first: other.line, line: task.line });
  else ctx.byId.set(task.id, task);
  if (task.parent !== null) ctx.byId.get(task.parent)?.children.push(task.id);
  if (task.kind === 'heading') ctx.lastHeadingTask = task;
  ctx.board.tasks.push(task);
}

function inlineText(ctx: Context, source: string): string {
  return plainOf(ctx.parser.inline(source));
}
