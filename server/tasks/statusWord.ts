import type { Board, Task } from './board';
import type { TaskStatus } from './status';
import { phraseOf, styledWord } from './vocabulary';

/**
 * The words a status edit writes into a cell or field: a status word of the board's own
 * vocabulary and nothing else — never a whole cell copied from another task, which may hold a
 * date or a sentence ("✅ Done (2026-10-12)", "Erledigt – extracted the helper"). In order: the
 * configured word, the legend's, the phrase the board's other tasks use most for it, else
 * Corral's word in the board's style. Markup around the old text (`**…**`, `` `…` ``) is kept.
 */
export function statusWord(board: Board, task: Task, status: TaskStatus): string {
  const old = board.text.slice(task.statusText!.start, task.statusText!.end);
  return wrapLike(old, wordFor(board, task, status));
}

function wordFor(board: Board, task: Task, status: TaskStatus): string {
  const own = board.vocabulary.preferred[status];
  if (own !== undefined) return own;
  const texts = (kind: Task['kind']): string[] =>
    board.tasks.filter((t) => t.statusText !== undefined && t.kind === kind).map((t) => board.text.slice(t.statusText!.start, t.statusText!.end));
  let samples = texts(task.kind);
  if (samples.length === 0) samples = texts(task.kind === 'table' ? 'heading' : 'table');
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const found = phraseOf(sample, board.vocabulary);
    if (found?.status === status) counts.set(found.phrase, (counts.get(found.phrase) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [phrase, count] of counts) if (best === undefined || count > counts.get(best)!) best = phrase;
  if (best !== undefined) return best;
  // Style from what the cells say as statuses, not from the sentences some of them go on with.
  const phrases = samples.flatMap((s) => phraseOf(s, board.vocabulary)?.phrase ?? []);
  return styledWord(status, phrases.length > 0 ? phrases : samples);
}

/** The word inside the old text's own markup: `**Done**` stays bold, `` `done` `` stays code. */
function wrapLike(old: string, word: string): string {
  const open = /^(?:\*\*|__|\*|_|`|~~|<b>|<strong>|<code>)+/.exec(old.trim())?.[0] ?? '';
  if (open === '') return word;
  const close = open
    .match(/\*\*|__|\*|_|`|~~|<b>|<strong>|<code>/g)!
    .reverse()
    .map((m) => (m.startsWith('<') ? `</${m.slice(1)}` : m))
    .join('');
  return old.includes(close, open.length) ? `${open}${word}${close}` : word;
}
