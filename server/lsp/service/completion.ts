import type { Board } from '../../tasks/board';
import { TASK_STATUSES, WORD_FOR } from '../../tasks/status';
import { phraseOf } from '../../tasks/vocabulary';
import type { BoardFacts } from './facts';
import type { BoardCompletion, Range } from './types';

const MENTION = /(^|[\s(])@([\w.-]*)$/;
const STATUS_FIELD = /(?:status|state|estado|stand)\s*[*_]*\s*[:：]\s*[*_]*\s*([^|*_]*)$/i;
const TABLE_CELL = /^\s*\|.*\|\s*([^|]*)$/;
const NEW_ITEM = /^(\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX~/!-]\]\s+)?)([A-Za-z]*-?\d*)$/;

/**
 * Completions at a position, from the text before it on its line: `@` → the users the board and
 * the daemon know; a status field or cell → the board's status words; a new item → the next free id.
 */
export function boardCompletions(board: Board, facts: BoardFacts, before: string, at: { line: number; character: number }): BoardCompletion[] {
  const range = (typed: number): Range => ({ start: { line: at.line, character: at.character - typed }, end: at });
  const mention = MENTION.exec(before);
  if (mention) {
    const counts = new Map<string, number>();
    for (const t of board.tasks) for (const a of t.assignees) counts.set(a, (counts.get(a) ?? 0) + 1);
    for (const u of [...facts.users, ...(facts.user ? [facts.user] : [])]) if (!counts.has(u)) counts.set(u, 0);
    return [...counts].map(([user, n]) => ({
      label: `@${user}`,
      kind: 'user',
      detail: n > 0 ? `${n} task${n === 1 ? '' : 's'} on this board` : 'known to the Corral daemon',
      insertText: `@${user}`,
      range: range(mention[2]!.length + 1),
    }));
  }
  const field = STATUS_FIELD.exec(before) ?? (TABLE_CELL.test(before) ? TABLE_CELL.exec(before) : null);
  if (field)
    return statusWords(board).map(({ word, status }) => ({ label: word, kind: 'status', detail: `status: ${WORD_FOR[status]}`, insertText: word, range: range(field[1]!.length) }));
  const item = NEW_ITEM.exec(before);
  if (item) {
    const id = nextFreeId(board);
    if (id !== undefined) return [{ label: id, kind: 'id', detail: 'the next free id on this board', insertText: `${id} `, range: range(item[2]!.length) }];
  }
  return [];
}

/** The board's own status words (configured, legend, what its tasks write), then Corral's. */
export function statusWords(board: Board): { word: string; status: (typeof TASK_STATUSES)[number] }[] {
  const words = new Map<string, (typeof TASK_STATUSES)[number]>();
  for (const [status, word] of Object.entries(board.vocabulary.preferred)) words.set(word, status as (typeof TASK_STATUSES)[number]);
  for (const t of board.tasks.slice(0, 2000)) {
    if (!t.statusText || t.status === 'other') continue;
    const found = phraseOf(board.text.slice(t.statusText.start, t.statusText.end), board.vocabulary);
    if (found && !words.has(found.phrase)) words.set(found.phrase, found.status);
  }
  for (const status of TASK_STATUSES) if (![...words.values()].includes(status)) words.set(WORD_FOR[status], status);
  return [...words].map(([word, status]) => ({ word, status }));
}

/** The board's most used id prefix with the number after its highest (`T-47`), or undefined when it has no ids. */
export function nextFreeId(board: Board): string | undefined {
  const highest = new Map<string, { count: number; max: number; width: number }>();
  for (const t of board.tasks) {
    const parts = t.explicitId ? /^([A-Za-z]+-)(\d+)$/.exec(t.id) : null;
    if (!parts) continue;
    const entry = highest.get(parts[1]!) ?? { count: 0, max: 0, width: 0 };
    entry.count++;
    entry.max = Math.max(entry.max, Number(parts[2]));
    entry.width = Math.max(entry.width, parts[2]!.startsWith('0') ? parts[2]!.length : 0);
    highest.set(parts[1]!, entry);
  }
  const best = [...highest].sort((a, b) => b[1].count - a[1].count)[0];
  if (!best) return undefined;
  return `${best[0]}${String(best[1].max + 1).padStart(best[1].width, '0')}`;
}
