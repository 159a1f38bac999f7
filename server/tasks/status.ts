import type { ReadStatusName, TaskStatusName } from '../protocol/tasks';

/** Where a task stands: the protocol's one list (server/protocol/states.ts). `review`: done by someone, waiting for a look. */
export { TASK_STATUSES } from '../protocol/states';
export type TaskStatus = TaskStatusName;
/** A status as read: one of Corral's, or `other` for a `Status:` field in words Corral does not know (listed, never dropped). */
export type ReadStatus = ReadStatusName;

/** The characters people put in a checkbox, and what they mean. */
export const MARKS: Record<string, TaskStatus> = { ' ': 'todo', x: 'done', X: 'done', '~': 'in_progress', '/': 'in_progress', '-': 'in_progress', '!': 'blocked' };
/** The mark Corral writes for a status. */
export const MARK_FOR: Record<TaskStatus, string> = { todo: ' ', in_progress: '~', review: '/', blocked: '!', done: 'x' };

/**
 * Words and symbols of status cells, status fields and status headings, in the languages of the
 * boards we have met. Matched case-insensitively against the start of the text (after emoji).
 */
const WORDS: [TaskStatus, RegExp][] = [
  [
    'done',
    /^(✅|✔️?|☑️?|🟢|done|completed?|finished|closed|fixed|merged|shipped|resolved|archived?|erledigt|fertig|hecho|terminado|completado|conclu[ií]do|feito|fait|termin[ée]e?s?|fatto|completato|klaar|gedaan|valmis|tehty|완료|完了|完成|已完成|済|归档)/i,
  ],
  [
    'in_progress',
    /^(🚧|🔄|⏳|🟡|in[ -]?progress|doing|wip|working on|working|ongoing|started|active|current|in arbeit|in bearbeitung|en (curso|progreso|cours)|em (andamento|progresso)|in corso|bezig|käynnissä|työn alla|진행 ?중|进行中|進行中|作業中|対応中|处理中|處理中)/i,
  ],
  [
    'review',
    /^(👀|in[ -]?review|ready for (review|testing|test|qa)|review|reviewing|testing|tests?|qa|awaiting review|needs review|en revisi[oó]n|em revis[aã]o|검토|리뷰|レビュー|待測試|待测试|测试中|測試中)/i,
  ],
  ['blocked', /^(❌|⛔|🔴|🛑|blocked|set aside|on[ -]?hold|stuck|waiting|paused|blockiert|bloqueado|estancado|阻塞|受阻|ブロック)/i],
  [
    'todo',
    /^(⬜|☐|⚪|🔲|todo|to[ -]do|open|planned|pending|not started|backlog|new|ready|next(?: up)?|up next|later|not in scope|out of scope|offen|geplant|pendiente|por hacer|pendente|a fazer|[aà] faire|da fare|te doen|zu erledigen|tekemättä|odottaa|백로그|할 ?일|待办|待辦|待處理|待处理|未开始|未着手|やること)/i,
  ],
];

/** Lane words that are also plain section names ("### Testing" inside a Backlog lane is a category, not a lane). */
const WEAK_LANE = /^(testing|tests?|qa)$/i;

/** The status a cell, field or heading names, if it names one. */
export function statusOfText(text: string): TaskStatus | undefined {
  const clean = text.replace(/[`*_~]/g, '').trim();
  // Known symbols first (✅ done), then the words after any other leading symbol (🧪 testing).
  const words = clean.replace(/^[^\p{L}\p{N}]+/u, '');
  for (const candidate of [clean, words]) for (const [status, pattern] of WORDS) if (pattern.test(candidate)) return status;
  return undefined;
}

/**
 * The status a heading gives the tasks under it: the heading is a status and little else —
 * `## In Progress`, `## DOING (5)`, `## Done 2026/03/31`, `## Working on (Eforen)`. "Completed
 * Phases Summary" or "Done criteria" are not lanes.
 */
export function statusOfHeading(text: string, extra: Record<string, TaskStatus> = {}, nested = false): TaskStatus | undefined {
  const clean = text.replace(/[`*_~#]/g, '').trim();
  for (const [name, status] of Object.entries(extra)) if (clean.toLowerCase() === name.toLowerCase()) return status;
  const words = clean.replace(/^[^\p{L}\p{N}]+/u, '');
  if (nested && WEAK_LANE.test(words.replace(/[^\p{L}\s]+$/u, '').trim())) return undefined;
  for (const [status, pattern] of WORDS) {
    const match = pattern.exec(words);
    if (match && LANE_REST.test(words.slice(match[0].length))) return status;
  }
  // A lane named twice, in the team's language and in English: "백로그 (Backlog)", "待測試 (Ready for Testing)".
  const aside = /^[^()]+\(([^()]+)\)\s*$/.exec(words);
  return aside ? statusOfHeading(aside[1]!, extra, nested) : undefined;
}

/** What may follow the status in a lane heading: a (note), a [tag], a {placeholder}, a date or count, symbols. */
const LANE_REST = /^(?:\s|[:–—-]|\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|[\d/.,-]+|[^\p{L}\p{N}\s])*$/u;

/** The words Corral writes into a status cell or field when the board has no example to copy. */
export const WORD_FOR: Record<TaskStatus, string> = { todo: 'todo', in_progress: 'in progress', review: 'review', blocked: 'blocked', done: 'done' };
