// Where a board can be cut into parts that read the same alone as in the whole: before a `#` or
// `##` heading at the left margin that follows a blank line, outside fenced code, HTML blocks and
// front matter. Nothing open in markdown survives a blank line followed by such a heading, so the
// blocks on either side are the blocks the whole document has there. Cuts are only ever fewer
// than possible (a heading right under a paragraph is not a cut), never wrong the other way.

/** One part of the board: `[start, end)` offsets, its first line (0-based). */
export interface Region {
  start: number;
  end: number;
  line: number;
  /** The board's YAML front matter, alone: read without any preamble (it must open the text). */
  frontMatter?: true;
}

/** A depth-1 heading of the whole board: a cut's context when the board has several. */
export interface Title {
  /** The heading's source (one line for `# A`, two for a setext `A\n===`). */
  source: string;
  start: number;
}

export interface Cuts {
  regions: Region[];
  /** Depth-1 headings found by the scan, in order. */
  titles: Title[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const CUT = /^#{1,2}(?:[ \t]|$)/;
const TITLE = /^ {0,3}#(?:[ \t]|$)/;
const SETEXT_ONE = /^ {0,3}=+[ \t]*$/;
const BLANK = /^[ \t]*$/;
/** HTML blocks that run past blank lines, and what ends each (CommonMark kinds 1–5). */
const HTML_OPEN: [RegExp, RegExp][] = [
  [/^ {0,3}<(?:script|pre|style|textarea)(?:\s|>|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];

/** Cuts the board's text into regions; a board with no cut is one region. */
export function cutBoard(text: string): Cuts {
  const regions: Region[] = [];
  const titles: Title[] = [];
  let regionStart = 0;
  let regionLine = 0;
  let fence: { char: string; length: number } | undefined;
  let html: RegExp | undefined;
  let previousBlank = true;
  let previous: { start: number; text: string } | undefined;
  let offset = 0;
  let line = 0;
  // YAML front matter is one block (a `#` in it is a comment); one never closed takes the whole text.
  const opening = /^(-{3,})[^\n]*\n/.exec(text);
  if (opening) {
    const close = new RegExp(`\\n {0,3}-{${opening[1]!.length},}[ \\t]*(?:\\r?\\n|$)`).exec(text.slice(opening[0].length - 1));
    if (!close) return { regions: [{ start: 0, end: text.length, line: 0 }], titles: [] };
    const end = opening[0].length - 1 + close.index + close[0].length;
    line = text.slice(0, end).split('\n').length - 1;
    offset = end;
    previousBlank = false;
    // A region of its own, unless what follows could open front matter itself when read alone.
    if (end < text.length && !text.startsWith('-', end)) {
      regions.push({ start: 0, end, line: 0, frontMatter: true });
      regionStart = end;
      regionLine = line;
    }
  }
  while (offset < text.length) {
    const newline = text.indexOf('\n', offset);
    const next = newline < 0 ? text.length : newline + 1;
    const source = text.slice(offset, newline < 0 ? text.length : newline > offset && text[newline - 1] === '\r' ? newline - 1 : newline);
    const blank = BLANK.test(source);
    if (fence) {
      const close = FENCE.exec(source);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && BLANK.test(close[2]!)) fence = undefined;
    } else if (html) {
      if (html.test(source)) html = undefined;
    } else {
      const open = FENCE.exec(source);
      if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) fence = { char: open[1]![0]!, length: open[1]!.length };
      else {
        const kind = HTML_OPEN.find(([start]) => start.test(source));
        if (kind && !kind[1].test(source.slice(source.indexOf('<') + 2))) html = kind[1];
        if (CUT.test(source) && previousBlank && offset > 0) {
          regions.push({ start: regionStart, end: offset, line: regionLine });
          regionStart = offset;
          regionLine = line;
        }
        if (TITLE.test(source)) titles.push({ source, start: offset });
        else if (SETEXT_ONE.test(source) && previous && !previousBlank) titles.push({ source: `${previous.text}\n${source}`, start: previous.start });
      }
    }
    previousBlank = blank && !fence && !html;
    previous = { start: offset, text: source };
    offset = next;
    line++;
  }
  regions.push({ start: regionStart, end: text.length, line: regionLine });
  return { regions, titles };
}
