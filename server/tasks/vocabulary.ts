import { statusOfText, WORD_FOR, type TaskStatus } from './status';

/**
 * A board's own status words: those configured (config.json `tasks.words`) and those its legend
 * defines ("🟡 READY · 🟢 IN PROGRESS"). They are read before Corral's guesses, so a legend's
 * 🟡 meaning "ready" beats the colour's usual "in progress".
 */
export interface Vocabulary {
  /** Phrases as written, with their status, longest first. */
  phrases: { phrase: string; status: TaskStatus }[];
  /** The symbols the legend gives a meaning to. */
  symbols: Map<string, TaskStatus>;
  /** The phrase to write for a status: configured, else the legend's. */
  preferred: Partial<Record<TaskStatus, string>>;
}

export function emptyVocabulary(): Vocabulary {
  return { phrases: [], symbols: new Map(), preferred: {} };
}

const LEADING_SYMBOLS = /^[^\p{L}\p{N}]*/u;
/** A legend item: a symbol (or markup like `[x]`), an optional `=`/`:`/`–`, and the words it means. */
const LEGEND_ITEM = /^([^\p{L}\p{N}\s]+)\s*(?:[=:：–—-]\s*)?([\p{L}][\p{L}\p{M}'’ -]*[\p{L}])$/u;
const SEPARATORS = /\s*(?:·|•|\||;|,|\s{3,}|\s\/\s)\s*/;

/** Adds configured words (`{ "done": "Erledigt" }`) to a vocabulary. */
export function addConfigured(vocabulary: Vocabulary, words: Partial<Record<TaskStatus, string>>): void {
  for (const [status, phrase] of Object.entries(words) as [TaskStatus, string][]) {
    const trimmed = phrase.trim();
    if (trimmed === '') continue;
    vocabulary.preferred[status] = trimmed;
    vocabulary.phrases.push({ phrase: trimmed, status });
  }
  vocabulary.phrases.sort((a, b) => b.phrase.length - a.phrase.length);
}

/**
 * Reads a legend line: "Legend: ✅ Done · 🚧 In progress", or a line of two or more
 * "symbol words" items that each name a status ("🟡 READY · 🟢 IN PROGRESS"), or (when
 * `labelled`, inside a Legend section) a single item. Configured words are never overridden.
 */
export function readLegendLine(vocabulary: Vocabulary, line: string, labelled: boolean): void {
  const plain = line
    .replace(/^[ \t>]*(?:[-*+]|\d+[.)])?[ \t]*/, '')
    .replace(/[*_`]/g, '')
    .trim();
  const label = /^(?:legend|leyenda|legende|légende|key|图例|凡例)\s*[:：–—-]\s*/i.exec(plain);
  const items = plain
    .slice(label?.[0].length ?? 0)
    .split(SEPARATORS)
    .filter((item) => item !== '');
  const found: { symbol: string; phrase: string; status: TaskStatus }[] = [];
  for (const item of items) {
    const parts = LEGEND_ITEM.exec(item.trim());
    if (!parts) continue;
    const words = parts[2]!.trim();
    const status = statusOfText(words);
    if (status === undefined) continue;
    found.push({ symbol: parts[1]!, phrase: `${parts[1]} ${words}`, status });
  }
  if (found.length === 0 || (found.length < 2 && !labelled && !label) || (!labelled && !label && found.length < items.length)) return;
  for (const entry of found) {
    vocabulary.symbols.set(entry.symbol, entry.status);
    if (vocabulary.phrases.some((p) => p.phrase.toLowerCase() === entry.phrase.toLowerCase())) continue;
    vocabulary.phrases.push({ phrase: entry.phrase, status: entry.status });
    vocabulary.preferred[entry.status] ??= entry.phrase;
  }
  vocabulary.phrases.sort((a, b) => b.phrase.length - a.phrase.length);
}

/** The status a cell or field names: the board's own words first, then Corral's. */
export function statusOf(text: string, vocabulary: Vocabulary): TaskStatus | undefined {
  if (vocabulary.phrases.length > 0 || vocabulary.symbols.size > 0) {
    const clean = text.replace(/[`*_~]/g, '').trim();
    const lower = clean.toLowerCase();
    for (const { phrase, status } of vocabulary.phrases) if (lower.startsWith(phrase.toLowerCase())) return status;
    const symbol = LEADING_SYMBOLS.exec(clean)![0].trim();
    const own = symbol === '' ? undefined : vocabulary.symbols.get(symbol);
    if (own !== undefined) return own;
  }
  return statusOfText(text);
}

/**
 * The status phrase at the start of a status text, without what follows it: `✅ Done` out of
 * `✅ Done (2026-10-12)`, `Erledigt` out of `Erledigt – extracted the helper`. Undefined when the
 * text names no status.
 */
export function phraseOf(text: string, vocabulary: Vocabulary): { phrase: string; status: TaskStatus } | undefined {
  const clean = text.replace(/[`*_~]/g, '').trim();
  const lower = clean.toLowerCase();
  for (const { phrase, status } of vocabulary.phrases) if (lower.startsWith(phrase.toLowerCase())) return { phrase: clean.slice(0, phrase.length), status };
  const status = statusOf(clean, vocabulary);
  if (status === undefined) return undefined;
  const lead = LEADING_SYMBOLS.exec(clean)![0];
  const rest = clean.slice(lead.length);
  // The longest run of words that still names the status: "In progress" but not "In progress since May".
  const words = rest.split(/(?<=[\p{L}\p{M}])(?=[^\p{L}\p{M}'’-])/u);
  let phrase = '';
  let best = '';
  for (const word of words) {
    if (!/^[ -]?[\p{L}\p{M}'’-]+$/u.test(word)) break;
    phrase += word;
    // One word, or a phrase that is a status as a whole ("not started"), never "done by Alice".
    if (statusOfText(phrase) === status && (!/\p{L}[ -]\p{L}/u.test(phrase.trim()) || MULTI_WORD.test(phrase.trim()))) best = phrase;
  }
  const symbol = lead.trim();
  if (best === '') return symbol === '' ? undefined : { phrase: symbol, status };
  return { phrase: `${lead}${best}`.trim(), status };
}

/** Status phrases of more than one word. */
const MULTI_WORD =
  /^(in[ -]progress|in[ -]review|not[ -]started|on[ -]hold|to[ -]do|set[ -]aside|working on|awaiting review|needs review|ready for (review|testing|test|qa)|next up|up next|not in scope|out of scope|work in progress|por hacer|a fazer|[aà] faire|da fare|te doen|zu erledigen|en (curso|progreso|cours)|em (andamento|progresso)|in (arbeit|bearbeitung|corso)|en revisi[oó]n|em revis[aã]o|진행 중|할 일)$/i;

/** Corral's default symbol for a status, for boards that lead their words with one. */
const SYMBOL_FOR: Record<TaskStatus, string> = { todo: '⬜', in_progress: '🚧', review: '👀', blocked: '⛔', done: '✅' };

/**
 * Corral's own word for a status in the style of the board's samples: their case
 * (UPPER, Title, lower), a leading symbol when they lead with one, hyphens when they join words so.
 */
export function styledWord(status: TaskStatus, samples: string[]): string {
  let word = WORD_FOR[status];
  const plain = samples.map((s) => s.replace(/[`*_~]/g, '').trim()).filter((s) => s !== '');
  if (plain.length === 0) return word;
  const letters = plain.map((s) => s.replace(LEADING_SYMBOLS, ''));
  const most = (test: (s: string) => boolean): boolean => letters.filter(test).length * 2 > letters.length;
  if (letters.some((s) => /\p{L}-\p{L}/u.test(s)) && !letters.some((s) => /\p{L} \p{L}/u.test(s))) word = word.replace(/ /g, '-');
  if (most((s) => s !== '' && s === s.toUpperCase() && s !== s.toLowerCase())) word = word.toUpperCase();
  else if (most((s) => /^\p{Lu}\S*(?: \p{Lu}\S*)+/u.test(s))) word = word.replace(/(^|[ -])\p{Ll}/gu, (c) => c.toUpperCase());
  else if (most((s) => /^\p{Lu}/u.test(s))) word = word.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  const symbols = plain.map((s) => LEADING_SYMBOLS.exec(s)![0].trim());
  if (symbols.filter((s) => s !== '').length * 2 > plain.length) word = letters.every((s) => s === '') ? SYMBOL_FOR[status] : `${SYMBOL_FOR[status]} ${word}`;
  return word;
}
