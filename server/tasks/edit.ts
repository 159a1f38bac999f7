import type { Board, Span, Task } from './board';
import { MARK_FOR, MARKS, WORD_FOR, type TaskStatus } from './status';
import { statusWord } from './statusWord';

/** A change to a board, by task id, so it can be applied again on newer content. */
export type BoardEdit =
  { op: 'status'; id: string; status: TaskStatus } | { op: 'assign'; id: string; user: string } | { op: 'note'; id: string; text: string } | { op: 'add'; title: string };

/** An edit that cannot be made on this board: what and why, for the caller to say. */
export class BoardEditError extends Error {}

interface Splice {
  at: number;
  remove: number;
  insert: string;
}

/**
 * The board's text with one edit made surgically: only the bytes the edit needs change —
 * a checkbox mark, a status cell or field, an item moved between lanes, a line added.
 * Everything else (line endings, trailing spaces, alignment, emoji) stays byte for byte.
 */
export function applyEdit(board: Board, edit: BoardEdit, reread?: (text: string) => Board): string {
  const text = makeEdit(board, edit);
  if (reread && edit.op === 'status') {
    // The board must now say what was asked: a `[ ]` in an In Progress lane with no Todo lane to
    // move to, or `review` on a board of plain checkboxes, cannot be written down.
    const now = reread(text).tasks.find((t) => t.id === edit.id)?.status;
    if (now !== edit.status) {
      const section = board.headings.find((h) => h.status === edit.status);
      // Say what is missing only when it is missing: a board with a Review section needs something else.
      const hint = section ? `its "${section.text}" section does not take this kind of task` : `add a "## ${title(edit.status)}" section for it`;
      throw new BoardEditError(`this board cannot show task ${edit.id} as ${edit.status.replace('_', ' ')}: ${hint}`);
    }
  }
  return text;
}

function makeEdit(board: Board, edit: BoardEdit): string {
  if (edit.op === 'add') return splice(board.text, [addTask(board, edit.title)]);
  const task = board.tasks.find((t) => t.id === edit.id);
  if (task === undefined) throw new BoardEditError(`no task ${edit.id} on the board`);
  switch (edit.op) {
    case 'status':
      return splice(board.text, setStatus(board, task, edit.status));
    case 'assign':
      return splice(board.text, [assign(board, task, edit.user)]);
    case 'note':
      return splice(board.text, [note(board, task, edit.text.replace(/\s*\r?\n\s*/g, ' ').trim())]);
  }
}

function setStatus(board: Board, task: Task, status: TaskStatus): Splice[] {
  if (task.status === status) return [];
  const edits: Splice[] = [];
  const lane = task.lane === undefined ? undefined : board.headings[task.lane];
  // Moving to a lane: a mark that reads as another status (`[/]` is in progress) becomes a plain box the lane speaks for.
  const moving = lane !== undefined && lane.status !== status && board.headings.some((h) => h.status === status);
  const mark = moving && MARKS[MARK_FOR[status]] !== status ? ' ' : MARK_FOR[status];
  if (task.mark) edits.push({ at: task.mark.start, remove: 1, insert: mark });
  if (task.statusText && (task.statusFrom === 'cell' || task.statusFrom === 'field' || task.lane !== undefined)) edits.push(rewriteStatusText(board, task, status));
  // Struck through reads as done, whatever the box says: anything else takes the strike off.
  if (status !== 'done' && task.kind === 'list') edits.push(...unstrike(board, task));
  if (!task.mark && task.lane === undefined && task.statusFrom === 'strikethrough') {
    // A plain item of a list that strikes its done items through: done or not, nothing in between.
    if (status === 'done') edits.push(...strike(board, task));
    else if (status !== 'todo')
      throw new BoardEditError(
        `task ${task.id} is a plain item in a list that strikes done items through, which cannot say ${status.replace('_', ' ')}; give it a checkbox (e.g. "[~]" for in progress)`,
      );
  }
  if (lane && lane.status !== status) {
    // The moved block carries the other changes (its mark, its cell) with it.
    const move = moveToLane(board, task, status, edits);
    if (move) return move;
    // No lane to move it to: a plain card struck through reads as done wherever it sits.
    if (!task.mark && !task.statusText && task.kind === 'list' && status === 'done') return [...edits, ...strike(board, task)];
    if (!task.mark && !task.statusText)
      throw new BoardEditError(
        `task ${task.id} takes its status from the "${lane.text}" heading, and there is no section for ${status.replace('_', ' ')} to move it to; add one (e.g. "## ${title(status)}")`,
      );
  }
  if (edits.length === 0) throw new BoardEditError(`task ${task.id} has no checkbox, status cell or status field to change`);
  return edits;
}

/** A status cell or field rewritten with a status word of the board's own vocabulary. */
function rewriteStatusText(board: Board, task: Task, status: TaskStatus): Splice {
  return rewriteCell(board, task, task.statusText!, statusWord(board, task, status));
}

/** A cell or field's text replaced; in an aligned table the column stays aligned when the words fit. */
function rewriteCell(board: Board, task: Task, span: Span, words: string): Splice {
  if (task.kind === 'table' && span.start === span.end) {
    // An empty cell: its text goes after the pipe and one space, like its neighbours'.
    let pipe = span.start;
    while (pipe > task.firstLine.start && board.text[pipe - 1] === ' ') pipe--;
    const width = span.start - pipe;
    const padding = aligned(board.text, task.firstLine) ? Math.max(1, width - 1 - words.length) : 1;
    return { at: pipe, remove: width, insert: ` ${words}${' '.repeat(padding)}` };
  }
  if (task.kind !== 'table' || !aligned(board.text, task.firstLine)) return { at: span.start, remove: span.end - span.start, insert: words };
  // Keep the column aligned: use the padding after the old text when the new text fits in it.
  let padding = 0;
  while (board.text[span.end + padding] === ' ') padding++;
  const room = span.end - span.start + padding - 1;
  return words.length <= room
    ? { at: span.start, remove: span.end - span.start + padding, insert: words + ' '.repeat(span.end - span.start + padding - words.length) }
    : { at: span.start, remove: span.end - span.start, insert: words };
}

/** Whether a table row's pipes line up with the row above it: padding is kept only in aligned tables. */
function aligned(text: string, row: Span): boolean {
  if (row.start === 0) return false;
  const above = text.lastIndexOf('\n', row.start - 2);
  const previous = text.slice(above + 1, row.start - 1).replace(/\r$/, '');
  // Aligned by characters or by screen columns (emoji and CJK two wide), as editors and formatters do.
  const pipes = (line: string, wide: boolean): string => {
    const at: number[] = [];
    let column = 0;
    for (const c of line) {
      if (c === '|') at.push(column);
      column += wide ? width(c) : c.length;
    }
    return at.join(',');
  };
  const current = text.slice(row.start, row.end);
  return pipes(previous, false) === pipes(current, false) || pipes(previous, true) === pipes(current, true);
}

/** Columns a character takes in a monospace editor: emoji and CJK two, joiners and marks none. */
function width(c: string): number {
  if (c === '\u200d' || c === '\ufe0f' || /\p{M}/u.test(c)) return 0;
  return c.codePointAt(0)! > 0x2000 && /[\p{Extended_Pictographic}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\uff01-\uff60]/u.test(c) ? 2 : 1;
}

/** The owner cell or field rewritten with the new name, `@` kept when the board writes names so. */
function writeOwner(board: Board, task: Task, handle: string): Splice {
  const span = task.ownerText!;
  const old = board.text.slice(span.start, span.end);
  const at = old.trim().startsWith('@') || (old.trim() === '' && /(^|\s)@\w/.test(board.text)) ? '@' : '';
  return rewriteCell(board, task, span, `${at}${handle}`);
}

/** Moves a lane task (with its sub-items) to the end of the first section whose heading is `status`. */
function moveToLane(board: Board, task: Task, status: TaskStatus, inner: Splice[]): Splice[] | undefined {
  const target = board.headings.find((h) => h.status === status);
  if (target === undefined) return undefined;
  const from = wholeLines(board.text, task.span);
  const block = splice(
    board.text.slice(from.start, from.end),
    inner.map((e) => ({ ...e, at: e.at - from.start })),
  );
  const sameKind = board.tasks.filter((t) => t.lane === board.headings.indexOf(target) && t.kind === task.kind && t.parent === null);
  let at: number;
  let insert = block.endsWith('\n') ? block : block + board.eol;
  if (sameKind.length > 0) at = wholeLines(board.text, sameKind.at(-1)!.span).end;
  else if (task.kind === 'table') {
    // A lane whose table has no rows yet, with the same header: the row goes under it.
    const empty = emptyTableFor(board, task, target.span.end, target.sectionEnd);
    if (empty === undefined) return undefined;
    at = empty;
  } else if (task.kind === 'heading') {
    // A card heading goes at the end of the lane: right after the lane's heading it would swallow the lane's items.
    at = target.sectionEnd;
    if (!/(^|\n)\r?\n$/.test(board.text.slice(0, at))) insert = board.eol + insert;
  } else {
    // An empty lane: after its heading, separated by a blank line as a list must be.
    at = wholeLines(board.text, target.span).end;
    insert = board.eol + insert;
  }
  if (!board.text.slice(0, at).endsWith('\n') && at > 0) insert = board.eol + insert;
  // Text right after the moved block must not run on into it (a paragraph would become part of an item).
  const next = board.text.slice(at, board.text.indexOf('\n', at) < 0 ? undefined : board.text.indexOf('\n', at));
  if (next.trim() !== '' && !/^[ \t]*(#{1,6}[ \t]|[-*+][ \t]|\d{1,9}[.)][ \t]|\|)/.test(next) && task.kind !== 'heading') insert += board.eol;
  if (task.kind === 'heading' && next.trim() !== '' && !insert.endsWith(`${board.eol}${board.eol}`)) insert += board.eol;
  return [
    { at: from.start, remove: from.end - from.start, insert: '' },
    { at, remove: 0, insert },
  ];
}

/** Where a row goes in a table of [from, to) whose header is the task's table's: after its last line. */
function emptyTableFor(board: Board, task: Task, from: number, to: number): number | undefined {
  const isRow = (line: string): boolean => /^[ \t]*\|/.test(line);
  let headerStart = task.firstLine.start;
  while (headerStart > 0) {
    const previous = board.text.lastIndexOf('\n', headerStart - 2) + 1;
    if (!isRow(board.text.slice(previous, headerStart))) break;
    headerStart = previous;
  }
  const header = board.text.slice(headerStart, board.text.indexOf('\n', headerStart)).trim();
  const section = board.text.slice(from, to).split('\n');
  let offset = from;
  for (let i = 0; i < section.length; i++) {
    if (section[i]!.trim() === header && /^[ \t]*\|?[ \t]*:?-{3,}/.test(section[i + 1] ?? '')) {
      let end = i + 1;
      while (end + 1 < section.length && isRow(section[end + 1]!)) end++;
      for (let j = i; j <= end; j++) offset += section[j]!.length + 1;
      return Math.min(offset, board.text.length);
    }
    offset += section[i]!.length + 1;
  }
  return undefined;
}

function assign(board: Board, task: Task, user: string): Splice {
  const handle = user.replace(/^@/, '');
  // An Owner column or field is where the board says who: written there, never into the title.
  if (task.ownerText) return writeOwner(board, task, handle);
  const line = board.text.slice(task.firstLine.start, task.firstLine.end);
  const current = task.assignees[0];
  if (current !== undefined) {
    const index = line.search(new RegExp(`(^|[\\s(])@${escape(current)}(?![\\w.-]*\\w)`));
    if (index >= 0) {
      const at = task.firstLine.start + line.indexOf(`@${current}`, index);
      return { at: at + 1, remove: current.length, insert: handle };
    }
  }
  const end = task.titleText?.end ?? task.firstLine.start + line.replace(/[ \t]+$/, '').length;
  return { at: end, remove: 0, insert: ` @${handle}` };
}

function note(board: Board, task: Task, text: string): Splice {
  if (task.kind === 'table') throw new BoardEditError(`task ${task.id} is a table row, which cannot hold notes; add a notes column or keep notes in a list`);
  const end = wholeLines(board.text, task.span).end;
  const { indent, bullet } = noteStyle(board, task);
  // A heading task's notes go at the end of its section, before the blank lines that close it.
  let at = end;
  if (task.kind === 'heading') while (at > task.firstLine.end && /^\r?\n$/.test(lineBefore(board.text, at))) at -= lineBefore(board.text, at).length;
  const before = at > 0 && !board.text.slice(0, at).endsWith('\n') ? board.eol : '';
  // A card of prose (a heading in a lane, no items) takes its note as a paragraph: an item would make it a group of cards.
  const prose =
    task.kind === 'heading' && task.statusFrom === 'heading' && !outsideCode(board.text.slice(task.firstLine.end, task.span.end)).some((line) => /^[ \t]*[-*+][ \t]/.test(line));
  if (prose) return { at, remove: 0, insert: `${before}${board.eol}${text}${at === board.text.length && !board.text.endsWith('\n') ? '' : board.eol}` };
  // A board without a final newline keeps it that way.
  if (at === board.text.length && !board.text.endsWith('\n')) return { at, remove: 0, insert: `${board.eol}${indent}${bullet} ${text}` };
  return { at, remove: 0, insert: `${before}${indent}${bullet} ${text}${board.eol}` };
}

/**
 * How a note under a task is written on this board: like the task's own sub-items or detail
 * bullets if it has some, else nested the way the board nests (tabs where it uses tabs, its
 * number of spaces), never less than the task's content column.
 */
function noteStyle(board: Board, task: Task): { indent: string; bullet: string } {
  const own = /^[ \t]*/.exec(board.text.slice(task.firstLine.start, task.firstLine.end))![0];
  const body = board.text.slice(task.firstLine.end, task.span.end);
  for (const line of outsideCode(body)) {
    const sub = /^([ \t]*)([-*+])[ \t]/.exec(line);
    if (sub && (task.kind === 'heading' || sub[1]!.replace(/\t/g, '    ').length > own.replace(/\t/g, '    ').length)) return { indent: sub[1]!, bullet: sub[2]! };
  }
  if (task.kind !== 'list') return { indent: '', bullet: '-' };
  const unit = nestingUnit(board);
  const column = task.contentIndent ?? own.length + 2;
  if (unit === '\t') return { indent: `${own}\t`, bullet: '-' };
  return { indent: ' '.repeat(Math.max(column, own.length + (typeof unit === 'number' ? unit : 0))), bullet: '-' };
}

/** The lines of a piece of markdown that are not inside fenced code. */
function outsideCode(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').filter((line) => {
    const marker = /^[ \t]*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return false;
    }
    return fence === undefined;
  });
}

/** The board's nesting step: a tab, or the number of spaces sub-items sit deeper than their parent (most common). */
function nestingUnit(board: Board): '\t' | number | undefined {
  const steps = new Map<string, number>();
  const byId = new Map(board.tasks.map((t) => [t.id, t]));
  for (const task of board.tasks.slice(0, 200)) {
    const parent = task.parent === null ? undefined : byId.get(task.parent);
    if (!parent || task.kind !== 'list' || parent.kind !== 'list') continue;
    const mine = /^[ \t]*/.exec(board.text.slice(task.firstLine.start, task.firstLine.end))![0];
    const theirs = /^[ \t]*/.exec(board.text.slice(parent.firstLine.start, parent.firstLine.end))![0];
    const step = mine.includes('\t') ? '\t' : String(mine.length - theirs.length);
    steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  const best = [...steps].sort((a, b) => b[1] - a[1])[0]?.[0];
  return best === undefined ? undefined : best === '\t' ? '\t' : Number(best);
}

function addTask(board: Board, text: string): Splice {
  const todoLane = board.headings.findIndex((h) => h.status === 'todo');
  const lanes = board.tasks.filter((t) => t.kind === 'list' && t.parent === null && (todoLane < 0 || t.lane === todoLane));
  const anchor = lanes.at(-1) ?? board.tasks.filter((t) => t.kind === 'list' && t.parent === null).at(-1);
  if (anchor) {
    const end = wholeLines(board.text, anchor.span).end;
    const start = anchor.firstLine.start;
    const bullet = /^[ \t]*([-*+]|\d+[.)])/.exec(board.text.slice(start, anchor.firstLine.end))?.[1] ?? '-';
    const indent = /^[ \t]*/.exec(board.text.slice(start))![0];
    const marker = /^\d/.test(bullet) ? `${Number.parseInt(bullet, 10) + 1}${bullet.slice(-1)}` : bullet;
    const prefix = end > 0 && !board.text.slice(0, end).endsWith('\n') ? board.eol : '';
    return { at: end, remove: 0, insert: `${prefix}${indent}${marker} [ ] ${text}${board.eol}` };
  }
  const separator = board.text === '' ? '' : board.text.endsWith('\n') ? board.eol : board.eol + board.eol;
  return { at: board.text.length, remove: 0, insert: `${separator}- [ ] ${text}${board.eol}` };
}

/** Strikes through the text of a one-line item (`- ~~text~~`); a longer paragraph is left to a person. */
function strike(board: Board, task: Task): Splice[] {
  const start = task.firstLine.start + (task.contentIndent ?? 0);
  const next = board.text.slice(task.firstLine.end).replace(/^\r?\n/, '');
  const continues = task.span.end > task.firstLine.end && /^[ \t]*[^\s\-*+\d]/.test(next) && !/^[ \t]*$/.test(next.split('\n')[0]!);
  if (continues) throw new BoardEditError(`task ${task.id} runs over several lines; strike it through by hand (~~…~~)`);
  const end = task.firstLine.start + board.text.slice(task.firstLine.start, task.firstLine.end).trimEnd().length;
  return [
    { at: end, remove: 0, insert: '~~' },
    { at: start, remove: 0, insert: '~~' },
  ];
}

/** Takes the `~~` off an item whose whole text is struck through; nothing otherwise. */
function unstrike(board: Board, task: Task): Splice[] {
  const start = task.firstLine.start + (task.contentIndent ?? 0) + (task.mark ? 4 : 0);
  // `@name`s and `#tag`s after the closing `~~` (an assignee added later) stay where they are.
  const line = board.text.slice(start, task.firstLine.end).replace(/(?:\s+[@#][\w./-]+)+\s*$/, '');
  const open = line.length - line.trimStart().length;
  const close = line.trimEnd().length - 2;
  if (!line.trimStart().startsWith('~~') || !line.trimEnd().endsWith('~~') || close <= open) return [];
  return [
    { at: start + close, remove: 2, insert: '' },
    { at: start + open, remove: 2, insert: '' },
  ];
}

/** The span widened to whole lines, line ending included. */
function wholeLines(text: string, span: Span): Span {
  const start = text.lastIndexOf('\n', span.start - 1) + 1;
  const newline = text.indexOf('\n', Math.max(span.start, span.end - 1));
  return { start, end: newline < 0 ? text.length : newline + 1 };
}

function lineBefore(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at - 2) + 1;
  return text.slice(start, at);
}

/** Applies non-overlapping splices, last first, so earlier offsets stay valid. */
function splice(text: string, edits: Splice[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.at - a.at || b.remove - a.remove)) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function title(status: TaskStatus): string {
  return WORD_FOR[status].replace(/^./, (c) => c.toUpperCase());
}
