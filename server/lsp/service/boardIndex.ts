import type { Board, ParseOptions } from '../../tasks/board';
import { markdownParser, type MarkdownParser } from '../../tasks/markdown';
import { IncrementalBoardReader } from './incrementalBoard';
import type { BoardDocument } from './types';

interface Entry {
  reader: IncrementalBoardReader;
  version: number;
  board?: Board;
}

/**
 * The open boards, each read at its current version: a reading is made when first asked for
 * (never on the typing path itself) and, after an edit, reuses the regions the edit left alone.
 */
export class BoardIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly parser: MarkdownParser;

  constructor(
    private readonly options: ParseOptions = {},
    parser?: MarkdownParser,
  ) {
    this.parser = parser ?? markdownParser();
  }

  /** The board as the document says it now. */
  board(doc: BoardDocument): Board {
    let entry = this.entries.get(doc.uri);
    if (!entry) this.entries.set(doc.uri, (entry = { reader: new IncrementalBoardReader(this.parser, this.options), version: doc.version }));
    if (!entry.board || entry.version !== doc.version) {
      entry.board = entry.reader.read(doc.getText());
      entry.version = doc.version;
    }
    return entry.board;
  }

  /** A reader for texts derived from the document (an edit's result, to check it). */
  reread(uri: string): (text: string) => Board {
    // A fork: the document's own reader keeps the regions of the text as it is.
    const scratch = this.entries.get(uri)?.reader.fork() ?? new IncrementalBoardReader(this.parser, this.options);
    return (text) => scratch.read(text);
  }

  /** How many regions the last reading of the document parsed again. */
  lastParsed(uri: string): number {
    return this.entries.get(uri)?.reader.lastParsed ?? 0;
  }

  close(uri: string): void {
    this.entries.delete(uri);
  }
}
