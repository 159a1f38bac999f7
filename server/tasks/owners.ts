import type { Span } from './board';
import type { Context } from './readContext';
import { lineEnd, plainOf } from './source';

// Who a task is for, as boards write it outside `@name`: Owner / Assignee fields and cells.

const OWNER_FIELD =
  /^([ \t>]*(?:[-*+][ \t]+)?[*_]*(?:owner|owners|assignee|assignees|assigned to|responsable|responsible|responsável|verantwortlich|zuständig|担当|担当者|负责人)[*_]*[ \t]*[:：][ \t]*[*_]*[ \t]*)(.*?)[*_ \t]*$/i;

/**
 * The `Owner:` / `Assignee:` field among lines [from, to) of a task (its detail bullets or its
 * section's lines), before any sub-task, sub-heading or code block: who it names and where.
 */
export function ownerField(ctx: Context, from: number, to: number): { names: string[]; span: Span } | undefined {
  for (let line = from; line < Math.min(to, ctx.lines.length); line++) {
    const start = ctx.lines[line]!;
    const source = ctx.text.slice(start, lineEnd(ctx.text, start));
    if (/^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+\[[ xX~/!-]\]|^[ \t]*(?:#{1,6}[ \t]|```|~~~)/.test(source)) return undefined;
    if (!source.includes(':') && !source.includes('：')) continue;
    const field = OWNER_FIELD.exec(source);
    if (!field) continue;
    const valueStart = start + field[1]!.length;
    return { names: namesIn(plainOf(ctx.parser.inline(field[2]!))), span: { start: valueStart, end: valueStart + field[2]!.length } };
  }
  return undefined;
}

/** People named in an Owner cell or field: "@ana", "ana, ben", "Ana & Ben"; not "-", "TBD" or "—". */
export function namesIn(text: string): string[] {
  return text
    .split(/\s*(?:,|;|&|\/|\band\b|\+)\s*/)
    .map((n) => n.trim().replace(/^@/, ''))
    .filter((n) => /^[\p{L}\p{N}_][\p{L}\p{N}_.'’-]*(?: [\p{L}][\p{L}.'’-]*)?$/u.test(n) && !/^(tbd|tba|n\/a|none|nobody|unassigned|-+)$/i.test(n));
}
