import type { Block } from './markdown';
import type { BoardHeading, Span } from './board';
import { addTask, explicit, identify, inlineText, type Context } from './readContext';
import { namesIn } from './owners';
import { DEPENDS_HEADER } from './dependencies';
import { cells, lineEnd } from './source';
import { phraseOf, statusOf } from './vocabulary';

// Table rows as tasks: which tables are boards, and which column says what.

const STATUS_HEADER =
  /^(status|state|stage|estado|estado actual|estatus|resultado|situação|situación|stato|statut|état|etat|zustand|tila|状态|状態|狀態|进度|進捗|stand)(?:\s*\([^)]*\))?$/i;
const OWNER_HEADER = /^(owner|owners|assignee|assignees|assigned to|assigned|who|responsible|responsable|responsável|verantwortlich|zuständig|vastuuhenkilö|负责人|担当|担当者)$/i;
const LEADING_SYMBOLS = /^[^\p{L}\p{N}#]+/u;
/** A cell listing other tasks' ids ("HU-01, HU-02", "TT-01 a TT-07"): a reference to them, not a task. */
const ID_LIST = /^[A-Z][A-Za-z]*-\d+(?:\s*(?:,|;|\/|&|a|to|bis|até|à|–|—|-|y|e|and|und)\s*[A-Z][A-Za-z]*-\d+)+$/;
const ID_HEADER = /^(id|#|no\.?|nr\.?|task id|key|ticket|编号|番号)$/i;
const TITLE_HEADER = /^(task|title|name|summary|item|feature|tehtävä|tarea|tarefa|aufgabe|任务|タスク|description|method)$/i;
const TOTAL_ROW = /^(total|totals|sum|summe|gesamt|yhteensä|总计|合计|合計|total geral)$/i;

/**
 * Reads a table's rows as tasks when it has a status column (by its header, or by values that are
 * statuses) or sits in a kanban lane; rows of a table inside a heading task's section are its
 * subtasks. Returns the index of the table's last token.
 */
export function readTable(ctx: Context, blocks: Block[], index: number, heading: BoardHeading | undefined, headingIndex: number, owner: string | null): number {
  let end = index;
  while (end < blocks.length && blocks[end]!.type !== 'table_close') end++;
  const rows = blocks
    .slice(index, end)
    .filter((b) => b.type === 'tr_open')
    .map((b) => b.map![0]);
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
  // A table inside a heading task's section (a card's details) is part of that task: not a lane of its own.
  const inLane = heading?.status !== undefined && !(title && statusColumn >= 0) && owner === null;
  if (statusColumn < 0 && (!inLane || title)) return end;
  const ownerColumn = names.findIndex((n) => OWNER_HEADER.test(n));
  const dependsColumn = names.findIndex((n, i) => i !== statusColumn && DEPENDS_HEADER.test(n));
  const taken = (i: number): boolean => i === idColumn || i === statusColumn || i === ownerColumn || i === dependsColumn;
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
      parent: owner,
      children: [],
      section: heading?.text ?? null,
      ...(statusColumn >= 0 && row[statusColumn] ? { statusText: row[statusColumn] } : {}),
      ...(row[titleColumn] ? { titleText: row[titleColumn] } : {}),
      ...(ownerColumn >= 0 && row[ownerColumn] ? { ownerText: row[ownerColumn] } : {}),
      ...(inLane ? { lane: headingIndex } : {}),
      dependsOn: [],
      ...(dependsColumn >= 0 && row[dependsColumn] ? { dependsText: row[dependsColumn] } : {}),
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
