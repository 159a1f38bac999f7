// The language service's own vocabulary: plain data over a document interface, so the analysis
// runs in tests and benchmarks without an LSP connection. Shapes match LSP's where they overlap
// (0-based lines and UTF-16 characters), so the thin server passes them through.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** What the service reads of an open document (vscode-languageserver-textdocument's TextDocument fits). */
export interface BoardDocument {
  readonly uri: string;
  readonly version: number;
  getText(): string;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
}

/** One text replacement in a document: what a code action or a command edits. */
export interface TextChange {
  range: Range;
  newText: string;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface BoardDiagnostic {
  range: Range;
  severity: Severity;
  /** Stable, for clients and tests: `duplicate-id`, `unknown-status`, `status-not-shown`, `stale-claim`. */
  code: string;
  message: string;
  related?: { range: Range; message: string }[];
}

/** A lens above a task: its title and the command it runs (none: information only). */
export interface BoardLens {
  range: Range;
  title: string;
  command?: { id: string; arguments: unknown[] };
}

export interface BoardCompletion {
  label: string;
  kind: 'user' | 'status' | 'id';
  detail: string;
  /** The text that replaces `range`. */
  insertText: string;
  range: Range;
}

export interface BoardSymbol {
  name: string;
  detail: string;
  kind: 'lane' | 'task';
  range: Range;
  selectionRange: Range;
  children: BoardSymbol[];
}

export interface BoardAction {
  title: string;
  kind: 'quickfix' | 'refactor';
  /** Diagnostics (by code) this action fixes. */
  fixes?: string[];
  changes: TextChange[];
}
