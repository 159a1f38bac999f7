import { readDependencies } from './dependencies';
import { headingTask } from './headingTasks';
import type { Block, MarkdownParser } from './markdown';
import { ownerField } from './owners';
import { addTask, identify, inlineText, type Context } from './readContext';
import { cells, isStruckThrough, lastContentEnd, lineEnd, lineStarts, plainOf } from './source';
import { MARKS, statusOfHeading, type ReadStatus, type TaskStatus } from './status';
import { readTable } from './tables';
import { addConfigured, emptyVocabulary, readLegendLine, type Vocabulary } from './vocabulary';

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
  /** The ids it waits for ("after T-3", `- depends: T-3, T-4`, a Depends cell), in the order written. */
  dependsOn: string[];
  /** The Depends cell's text (table tasks). */
  dependsText?: Span;
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

const PLACEHOLDER = /^[(_*]*(?:none|nothing(?: yet)?|nenhuma?|ningun[oa]?|nada|keine|aucune?|rien|empty|vazio|vac[ií]o|n\/a|tbd|—|–|-|…|\.\.\.)[)_*.!]*$/i;
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
    else if (block.type === 'table_open') i = readTable(ctx, blocks, i, headingAt(block.map![0]), section, headingOwner(ctx, lines[block.map![0]]!) ?? null);
  }
  reportDuplicates(ctx);
  readDependencies(ctx);
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

function readHeadings(ctx: Context, blocks: Block[], options: ParseOptions): void {
  const found = blocks.flatMap((b, i) =>
    b.type === 'heading_open' && b.level === 0
      ? [{ depth: b.markup === '=' ? 1 : b.markup === '-' ? 2 : b.markup.length, map: b.map!, text: inlineText(ctx, blocks[i + 1]!.content) }]
      : [],
  );
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
    // Paragraphs of list items are read with their item's first line, not twice.
    if ((block.type !== 'paragraph_open' || block.level !== 0) && block.type !== 'list_item_open' && block.type !== 'tr_open') continue;
    const [first, last] = block.map!;
    const labelled = sections.length > 0 && sections.some(([from, to]) => first + 1 > from && first + 1 <= to);
    if (block.type === 'tr_open' && !labelled) continue;
    for (let line = first; line < (block.type === 'paragraph_open' ? last : first + 1); line++) {
      const start = ctx.lines[line]!;
      const end = lineEnd(ctx.text, start);
      // Legends show symbols: a line of plain ASCII is skipped without a regular expression.
      if (!labelled && !hasSymbol(ctx.text, start, end)) continue;
      let source = ctx.text.slice(start, end);
      if (!labelled && !MAYBE_LEGEND.test(source)) continue;
      if (block.type === 'tr_open')
        source = cells(ctx.text, start)
          .map((c) => ctx.text.slice(c.start, c.end))
          .join(' ');
      readLegendLine(ctx.board.vocabulary, source, labelled);
    }
  }
}

/** Whether text[start, end) has a character outside ASCII (an emoji, a symbol, a letter with an accent). */
function hasSymbol(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
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
    dependsOn: [],
  };
  if (box) task.mark = { start: contentStart + 1, end: contentStart + 2 };
  if (owner) task.ownerText = owner.span;
  if (inLane) task.lane = headingIndex;
  return task;
}
