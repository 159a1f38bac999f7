import type { BoardHeading, Task } from './board';
import type { Block } from './markdown';
import { ownerField } from './owners';
import { identify, lineAt, type Context } from './readContext';
import { lineEnd } from './source';
import type { ReadStatus } from './status';
import { statusOf } from './vocabulary';

// Headings that are tasks: those whose section states a Status, and cards inside a kanban lane.

const STATUS_FIELD = /^\s*(?:[-*+]\s+)?[*_]*\s*(status|state|estado|stand|状态|状態)\s*[*_]*\s*[:：]\s*[*_]*\s*/i;

/** A heading whose section states `Status: …` (before any sub-heading) is a task itself. */
export function headingTask(ctx: Context, blocks: Block[], index: number): Task | undefined {
  const heading = ctx.board.headings.find((h) => h.line === blocks[index]!.map![0] + 1)!;
  if (heading.depth < 2) return undefined;
  // The field is a line of a paragraph, or the first line of a top-level list item.
  const candidates: number[] = [];
  for (let i = index + 3; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === 'heading_open' && block.level === 0) break;
    if (block.type === 'paragraph_open' && block.level === 0) for (let l = block.map![0]; l < block.map![1]; l++) candidates.push(l);
    if (block.type === 'list_item_open' && block.level === 1) candidates.push(block.map![0]);
  }
  for (const line of candidates) {
    const start = ctx.lines[line]!;
    const source = ctx.text.slice(start, lineEnd(ctx.text, start));
    const field = STATUS_FIELD.exec(source);
    if (!field) continue;
    const valueStart = start + field[0].length;
    const valueEnd = start + source.replace(/[\s*_]+$/, '').length;
    const value = ctx.text.slice(valueStart, valueEnd);
    // Words Corral does not know still make the heading a task: listed as `other`, never dropped.
    const status: ReadStatus | undefined = statusOf(value, ctx.board.vocabulary) ?? (/[\p{L}\p{N}]/u.test(value) ? 'other' : undefined);
    if (status === undefined) continue;
    const named = headingIdentity(ctx, heading);
    if (named === undefined) return undefined;
    return {
      ...named,
      status,
      ...(status === 'other' ? { otherStatus: value.replace(/[`*_~]/g, '').trim() } : {}),
      statusFrom: 'field',
      kind: 'heading',
      line: heading.line,
      span: { start: heading.span.start, end: heading.sectionEnd },
      firstLine: heading.span,
      parent: null,
      children: [],
      section: heading.text,
      statusText: { start: valueStart, end: Math.max(valueStart, valueEnd) },
      dependsOn: [],
    };
  }
  return headingCard(ctx, blocks, index, heading);
}

/** A top-level item that is metadata of a card (`- due: 2025-07-14`, `- **tags:** [ui]`, `- defaultExpanded: false`). */
const METADATA_ITEM = /^[ \t]*[-*+][ \t]+[*_]*[\p{L}][\p{L}\p{N} _-]{0,30}[*_]*:(?:[ \t]|$)/u;

/**
 * A heading task's id, title and assignees (its Owner field included), or undefined when its
 * section details a task listed elsewhere under the same id: that task, not another.
 */
function headingIdentity(ctx: Context, heading: BoardHeading): (ReturnType<typeof identify> & { ownerText?: Task['ownerText'] }) | undefined {
  const identity = identify(ctx, heading.text, ctx.parser.inline(heading.text));
  if (identity.explicitId && ctx.byId.has(identity.id)) return undefined;
  const owner = ownerField(ctx, heading.line, lineAt(ctx, heading.sectionEnd));
  if (owner === undefined) return identity;
  return { ownerText: owner.span, ...identity, assignees: [...new Set([...owner.names, ...identity.assignees])] };
}

/**
 * What a heading's section (before its first sub-heading) holds. Its first item says it: metadata
 * (`- due: …`) makes a card whatever follows (steps, notes); boxes, plain items or a table first
 * make a group of the lane's cards; prose or code alone is a card too.
 */
function sectionKind(ctx: Context, blocks: Block[], index: number): 'card' | 'group' | 'empty' {
  let prose = false;
  for (let i = index + 3; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === 'heading_open' && block.level === 0) break;
    if (block.type === 'table_open') return 'group';
    if (block.type === 'list_item_open' && block.level === 1) {
      const start = ctx.lines[block.map![0]]!;
      return METADATA_ITEM.test(ctx.text.slice(start, lineEnd(ctx.text, start))) ? 'card' : 'group';
    }
    if (
      block.level === 0 &&
      (block.type === 'paragraph_open' || block.type === 'fence' || block.type === 'code_block' || block.type === 'html_block' || block.type === 'blockquote_open')
    )
      prose = true;
  }
  return prose ? 'card' : 'empty';
}

/**
 * A heading inside a kanban lane that is a card itself: its section holds only prose or code, or
 * starts its items with metadata (`- tags: […]`, `- defaultExpanded: false`, as VS Code kanban
 * extensions write). A section that starts with boxes, plain items or a table is a group of the
 * lane's cards ("### Sprint 3").
 */
function headingCard(ctx: Context, blocks: Block[], index: number, heading: BoardHeading): Task | undefined {
  if (heading.depth < 2 || heading.status === undefined || !heading.inherited) return undefined;
  const at = ctx.board.headings.indexOf(heading);
  let lane = -1;
  for (let j = at - 1, depth = heading.depth; j >= 0; j--) {
    const h = ctx.board.headings[j]!;
    if (h.depth >= depth) continue;
    if (!h.inherited) {
      lane = j;
      break;
    }
    depth = h.depth;
  }
  if (lane < 0) return undefined;
  // An empty heading is not a card: it may be a group whose last card moved away, and reading it
  // as a card then would make a task appear from an edit to another one.
  if (sectionKind(ctx, blocks, index) !== 'card') return undefined;
  const named = headingIdentity(ctx, heading);
  if (named === undefined) return undefined;
  return {
    ...named,
    status: heading.status,
    statusFrom: 'heading',
    kind: 'heading',
    line: heading.line,
    span: { start: heading.span.start, end: heading.sectionEnd },
    firstLine: heading.span,
    parent: null,
    children: [],
    section: ctx.board.headings[lane]!.text,
    lane,
    dependsOn: [],
  };
}
