// Its own bundle (dist/markdown.js): micromark + mdast with GFM and front matter, loaded when a
// board is first read.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { Root } from 'mdast';

/** The syntax tree of a markdown text, every node with its source offsets. */
export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm(), frontmatter(['yaml', 'toml'])], mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml', 'toml'])] });
}
