import type { Span } from './board';

/** Line and cell arithmetic on a board's source text, by offsets (CRLF-aware). */

export type Inline = { type: string; content: string }[];

/** The text of inline tokens: code spans keep their content, markup is dropped. */
export function plainOf(inline: Inline): string {
  return inline.map((t) => (t.type === 'text' || t.type === 'code_inline' ? t.content : t.type === 'softbreak' || t.type === 'hardbreak' ? ' ' : '')).join('');
}

/** An item whose whole text is one strikethrough (`~~…~~`), perhaps followed by `@name`s and `#tag`s (an assignee added later). */
export function isStruckThrough(inline: Inline): boolean {
  const last = inline.map((t) => t.type).lastIndexOf('s_close');
  const meaningful = inline.filter(
    (t, i) =>
      !(t.type === 'text' && (t.content.trim() === '' || (i > last && last >= 0 && /^(\s*[@#][\w./-]+)+\s*$/.test(t.content)))) && t.type !== 'softbreak' && t.type !== 'hardbreak',
  );
  return meaningful.length >= 3 && meaningful[0]!.type === 's_open' && meaningful.at(-1)!.type === 's_close' && meaningful.filter((t) => t.type === 's_open').length === 1;
}

/** The cells of a table row: each cell's text without its padding and pipes. */
export function cells(text: string, lineStart: number): Span[] {
  const end = lineEnd(text, lineStart);
  const spans: Span[] = [];
  let i = lineStart;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] === '|') i++;
  let cellStart = i;
  let code = false;
  for (; i <= end; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '`') code = !code;
    if (i === end || (c === '|' && !code)) {
      let s = cellStart;
      let e = i;
      while (s < e && (text[s] === ' ' || text[s] === '\t')) s++;
      while (e > s && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
      if (!(i === end && s === e && text[i - 1] === '|') && !(i === end && cellStart === end)) spans.push({ start: s, end: e });
      cellStart = i + 1;
    }
  }
  return spans;
}

/** The end of the last non-blank line of lines [first, last). */
export function lastContentEnd(text: string, lines: number[], first: number, last: number): number {
  for (let line = Math.min(last, lines.length) - 1; line > first; line--) {
    const start = lines[line]!;
    const end = lineEnd(text, start);
    if (text.slice(start, end).trim() !== '') return end;
  }
  return lineEnd(text, lines[first]!);
}

/** The offset each line starts at. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Where the line holding `from` ends, before its `\n` or `\r\n`. */
export function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  const end = newline < 0 ? text.length : newline;
  return end > from && text[end - 1] === '\r' ? end - 1 : end;
}
