import type { Board, ParseOptions } from '../../tasks/board';
import type { MarkdownParser } from '../../tasks/markdown';
import { taskActions } from './actions';
import { BoardIndex } from './boardIndex';
import { boardCompletions } from './completion';
import { boardDiagnostics } from './diagnostics';
import { changeBetween, editedText, editsFor, type TaskAction } from './edits';
import type { BoardFacts } from './facts';
import { taskAt, taskHover } from './hover';
import { boardLenses } from './lenses';
import { boardSymbols } from './symbols';
import type { BoardAction, BoardCompletion, BoardDiagnostic, BoardDocument, BoardLens, BoardSymbol, Position, Range, TextChange } from './types';

export interface ServiceOptions {
  parse?: ParseOptions;
  parser?: MarkdownParser;
  /** The time written into notes (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * The board language: every feature as a plain function of an open document (and, for what only
 * the daemon knows, a snapshot of its facts). No LSP types: the server in ../server.ts maps them.
 */
export class BoardLanguageService {
  readonly index: BoardIndex;
  private readonly now: () => Date;

  constructor(options: ServiceOptions = {}) {
    this.index = new BoardIndex(options.parse, options.parser);
    this.now = options.now ?? (() => new Date());
  }

  board(doc: BoardDocument): Board {
    return this.index.board(doc);
  }

  diagnostics(doc: BoardDocument, facts: BoardFacts): BoardDiagnostic[] {
    return boardDiagnostics(this.board(doc), facts, rangeIn(doc));
  }

  lenses(doc: BoardDocument, facts: BoardFacts): BoardLens[] {
    return boardLenses(doc.uri, this.board(doc), facts, rangeIn(doc));
  }

  hover(doc: BoardDocument, position: Position, facts: BoardFacts): { markdown: string; range: Range } | undefined {
    const board = this.board(doc);
    const task = taskAt(board, doc.offsetAt(position));
    if (!task) return undefined;
    return { markdown: taskHover(board, task, facts), range: rangeIn(doc)(task.firstLine.start, task.firstLine.end) };
  }

  completions(doc: BoardDocument, position: Position, facts: BoardFacts): BoardCompletion[] {
    const offset = doc.offsetAt(position);
    const text = doc.getText();
    const before = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
    return boardCompletions(this.board(doc), facts, before, position);
  }

  symbols(doc: BoardDocument): BoardSymbol[] {
    return boardSymbols(this.board(doc), rangeIn(doc));
  }

  /** Code actions for the tasks the range touches (the task under the cursor, usually). */
  actions(doc: BoardDocument, range: Range, user: string): BoardAction[] {
    const board = this.board(doc);
    const start = doc.offsetAt(range.start);
    const end = doc.offsetAt(range.end);
    const touched = board.tasks.filter((t) => t.firstLine.start <= end && t.firstLine.end >= start);
    const tasks = touched.length > 0 ? touched.slice(0, 5) : [taskAt(board, start)].flatMap((t) => (t ? [t] : []));
    const reread = this.index.reread(doc.uri);
    return tasks.flatMap((t) => taskActions(board, t, reread, rangeIn(doc), user, this.now()));
  }

  /** The change of the open text that an action on a task makes (throws BoardEditError when the board cannot say it). */
  edit(doc: BoardDocument, id: string, action: TaskAction, user: string): TextChange[] {
    const board = this.board(doc);
    const text = editedText(board, editsFor(id, action, user, this.now()), this.index.reread(doc.uri));
    return changeBetween(board.text, text, rangeIn(doc));
  }

  close(uri: string): void {
    this.index.close(uri);
  }
}

/** Offsets of the document as LSP ranges. */
export function rangeIn(doc: BoardDocument): (start: number, end: number) => Range {
  return (start, end) => ({ start: doc.positionAt(start), end: doc.positionAt(end) });
}
