// Its own bundle (dist/markdown.js): markdown-it with GFM tables and strikethrough and YAML front
// matter, loaded when a board is first read.
import MarkdownIt from 'markdown-it';
import frontMatter from 'markdown-it-front-matter';

/** A block token: its type, nesting level, source lines [start, end) and raw content. */
export interface Block {
  type: string;
  level: number;
  map: [number, number] | null;
  content: string;
  markup: string;
}

/** The parts of markdown-it a board needs: block tokens with line maps, inline tokens on demand. */
export interface MarkdownParser {
  blocks(text: string): Block[];
  /** Inline tokens of one line of inline markdown, flattened (text, code_inline, s_open, …). */
  inline(text: string): { type: string; content: string }[];
}

let parser: MarkdownParser | undefined;

export function markdownParser(): MarkdownParser {
  if (parser) return parser;
  const md = new MarkdownIt('commonmark').enable(['table', 'strikethrough']).use(frontMatter, () => undefined);
  // Blocks only: inline markup is parsed later, for the few lines that are tasks.
  const blocksOnly = new MarkdownIt('commonmark').enable(['table', 'strikethrough']).use(frontMatter, () => undefined);
  blocksOnly.core.ruler.disable(['inline', 'text_join']);
  parser = {
    blocks: (text) => blocksOnly.parse(text, {}) as Block[],
    // Most task lines are plain words: only lines with markup characters go through the inline parser.
    inline: (text) =>
      /[`*_~<>[\]!\\&]/.test(text) ? (md.parseInline(text, {})[0]?.children ?? []).map((t) => ({ type: t.type, content: t.content })) : [{ type: 'text', content: text }],
  };
  return parser;
}
