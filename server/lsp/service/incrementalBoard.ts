import { readBoard, type Board, type BoardHeading, type ParseOptions, type Span, type Task } from '../../tasks/board';
import type { MarkdownParser } from '../../tasks/markdown';
import { addConfigured, emptyVocabulary } from '../../tasks/vocabulary';
import { cutBoard, type Region, type Title } from './regions';

/** A region read on its own, in its own coordinates (offsets from its start, lines from its first). */
interface ReadRegion {
  tasks: Task[];
  /** Explicit ids of its heading tasks: such a heading is no task when a region above lists its id. */
  headingIds: string[];
  headings: BoardHeading[];
  /** The board needs reading whole: its legend (or a task's context) reaches past this region. */
  needsWhole: boolean;
}

/** The text of the title a preamble adds to count a board's titles: no task's section. */
const CONTEXT_TITLE = '\u2063corral-region';
const DERIVED = /^(h-[0-9a-f]{6})(?:-\d+)?$/;

/**
 * Reads a board the way `readBoard` does, but region by region (see regions.ts), keeping each
 * region's reading while its text and context stay the same: after an edit only the regions it
 * touched are read again. What a region cannot know alone — the board's titles, the `Word-12`
 * prefixes its other tasks share, derived ids repeated elsewhere, duplicate ids, where a section
 * ends — is given to it as a short preamble or settled when the regions are put together. A board
 * whose legend defines status words is read whole (a legend applies to every region).
 */
export class IncrementalBoardReader {
  private cache = new Map<string, Map<string, ReadRegion>>();
  private prefixCache = new Map<string, Map<string, Set<string>>>();
  /** Each reading with its offsets made absolute, for the place it had last time. */
  private placed = new WeakMap<ReadRegion, { start: number; line: number; base: number; tasks: Task[]; headings: BoardHeading[] }>();

  constructor(
    private readonly parser: MarkdownParser,
    private readonly options: ParseOptions = {},
  ) {}

  /** A reader that starts from this one's readings: to check an edit's result without losing them. */
  fork(): IncrementalBoardReader {
    const reader = new IncrementalBoardReader(this.parser, this.options);
    reader.cache = new Map(this.cache);
    reader.prefixCache = new Map(this.prefixCache);
    reader.placed = this.placed;
    return reader;
  }

  /** How many regions the last `read` parsed again (for tests and the benchmark). */
  lastParsed = 0;

  read(text: string): Board {
    const { regions, titles } = cutBoard(text);
    this.lastParsed = 0;
    if (regions.length < 2) return this.whole(text);
    const sources = regions.map((r) => text.slice(r.start, r.end));
    // Prefixes first: a region's reading depends on the prefixes the whole board shares.
    const shared = new Map<string, Set<string>>();
    const prefixCache = new Map<string, Map<string, Set<string>>>();
    for (const source of sources) {
      const found = this.prefixCache.get(source) ?? prefixCache.get(source) ?? idPrefixes(source);
      prefixCache.set(source, found);
      for (const [prefix, numbers] of found) {
        let all = shared.get(prefix);
        if (!all) shared.set(prefix, (all = new Set()));
        for (const n of numbers) if (all.size < 2) all.add(n);
      }
    }
    const common = [...shared].filter(([, numbers]) => numbers.size >= 2).map(([prefix, numbers]) => [...numbers].map((n) => `${prefix}-${n}`).join(' '));
    const idLine = common.length > 0 ? `<!-- ${common.join(' ')} -->\n\n` : '';
    const next = new Map<string, Map<string, ReadRegion>>();
    // The scan's titles are a guess (a setext underline may be a paragraph's line); the readings'
    // headings are markdown-it's own. Read again with those when they differ.
    let read = this.readRegions(regions, sources, idLine, titles, next);
    if (read !== undefined) {
      const found = read.flatMap((region, i) =>
        region.headings.filter((h) => h.depth === 1).map((h) => ({ start: h.span.start + regions[i]!.start, source: sources[i]!.slice(h.span.start, h.span.end) })),
      );
      if (found.length !== titles.length || found.some((t, i) => t.start !== titles[i]!.start)) read = this.readRegions(regions, sources, idLine, found, next);
    }
    if (read === undefined) {
      this.cache = next;
      this.prefixCache = prefixCache;
      return this.whole(text);
    }
    this.cache = next;
    this.prefixCache = prefixCache;
    return this.merge(text, regions, read);
  }

  /** Every region read with the context it needs; undefined when the board must be read whole. */
  private readRegions(regions: Region[], sources: string[], idLine: string, titles: Title[], next: Map<string, Map<string, ReadRegion>>): ReadRegion[] | undefined {
    const read: ReadRegion[] = [];
    // Explicit ids of the regions above: a heading that details a task listed above is not a task.
    const above = new Set<string>();
    for (let i = 0; i < regions.length; i++) {
      const context = regions[i]!.frontMatter ? '' : idLine + titlePreamble(titles, regions[i]!.start);
      let region = this.region(sources[i]!, context, next);
      const listed = region.headingIds.filter((id) => above.has(id));
      if (listed.length > 0) region = this.region(sources[i]!, `${listed.map((id) => `- [ ] ${id}:`).join('\n')}\n\n${context}`, next);
      if (region.needsWhole) return undefined;
      for (const t of region.tasks) if (t.explicitId) above.add(t.id);
      read.push(region);
    }
    return read;
  }

  /** A region's reading with this preamble: from the cache, else read now. */
  private region(source: string, preamble: string, next: Map<string, Map<string, ReadRegion>>): ReadRegion {
    // Keyed by the region's text, then its preamble: no megabyte of keys is built per reading.
    let region = next.get(source)?.get(preamble) ?? this.cache.get(source)?.get(preamble);
    if (!region) {
      region = this.readRegion(source, preamble);
      this.lastParsed++;
    }
    let readings = next.get(source);
    if (!readings) next.set(source, (readings = new Map()));
    readings.set(preamble, region);
    return region;
  }

  private whole(text: string): Board {
    this.lastParsed = 1;
    return readBoard(text, this.parser, this.options);
  }

  private readRegion(source: string, preamble: string): ReadRegion {
    const board = readBoard(preamble + source, this.parser, this.options);
    const shift = preamble.length;
    const lines = preamble.split('\n').length - 1;
    const configured = Object.values(this.options.words ?? {}).filter((w) => w.trim() !== '').length;
    const ownHeadings = board.headings.filter((h) => h.span.start >= shift);
    const dropped = board.headings.length - ownHeadings.length;
    const tasks = board.tasks.filter((t) => t.firstLine.start >= shift).map((t) => moved(t, -shift, -lines, t.lane === undefined ? undefined : t.lane - dropped));
    for (const t of tasks) if (t.section === CONTEXT_TITLE) t.section = null;
    return {
      tasks,
      headingIds: tasks.filter((t) => t.kind === 'heading' && t.explicitId).map((t) => t.id),
      headings: ownHeadings.map((h) => ({ ...h, span: { start: h.span.start - shift, end: h.span.end - shift }, sectionEnd: h.sectionEnd - shift, line: h.line - lines })),
      needsWhole: board.vocabulary.symbols.size > 0 || board.vocabulary.phrases.length > configured || tasks.some((t) => t.lane !== undefined && t.lane < 0),
    };
  }

  /** The regions' readings as one board: offsets and lines made absolute, ids and sections settled. */
  private merge(text: string, regions: { start: number; line: number }[], read: ReadRegion[]): Board {
    const tasks: Task[] = [];
    const headings: BoardHeading[] = [];
    const used = new Map<string, number>();
    for (let i = 0; i < read.length; i++) {
      const { start, line } = regions[i]!;
      const region = read[i]!;
      const base = headings.length;
      // Derived ids count repeats over the whole board (`h-1a2b3c-2` is the second such title).
      const renamed = new Map<string, string>();
      for (const t of region.tasks) {
        const derived = t.explicitId ? null : DERIVED.exec(t.id);
        if (!derived) continue;
        const seen = (used.get(derived[1]!) ?? 0) + 1;
        used.set(derived[1]!, seen);
        const id = seen > 1 ? `${derived[1]}-${seen}` : derived[1]!;
        if (id !== t.id) renamed.set(t.id, id);
      }
      // A region above the edit has not moved: its placed tasks are used again as they are.
      let placed = this.placed.get(region);
      if (!placed || placed.start !== start || placed.line !== line || placed.base !== base || renamed.size > 0) {
        placed = {
          start,
          line,
          base,
          tasks: region.tasks.map((t) => moved(t, start, line, t.lane === undefined ? undefined : t.lane + base)),
          headings: region.headings.map((h) => ({ ...h, span: shift(h.span, start), sectionEnd: h.sectionEnd + start, line: h.line + line })),
        };
        if (renamed.size > 0) {
          const rename = (id: string): string => renamed.get(id) ?? id;
          for (const task of placed.tasks) {
            task.id = rename(task.id);
            task.parent = task.parent === null ? null : rename(task.parent);
            task.children = task.children.map(rename);
          }
        } else this.placed.set(region, placed);
      }
      for (const t of placed.tasks) tasks.push(t);
      for (const h of placed.headings) headings.push({ ...h });
    }
    // A section ends at the next heading of its level or higher, which may be in a later region.
    const open: number[] = [];
    for (let i = 0; i < headings.length; i++) {
      while (open.length > 0 && headings[open.at(-1)!]!.depth >= headings[i]!.depth) headings[open.pop()!]!.sectionEnd = headings[i]!.span.start;
      open.push(i);
    }
    for (const i of open) headings[i]!.sectionEnd = text.length;
    const vocabulary = emptyVocabulary();
    addConfigured(vocabulary, this.options.words ?? {});
    const firstNewline = text.indexOf('\n');
    const board: Board = { text, tasks, headings, warnings: [], eol: firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n', vocabulary };
    // The warnings are read by few (the language server has its own diagnostics): made when asked.
    let warnings: string[] | undefined;
    Object.defineProperty(board, 'warnings', { enumerable: true, get: () => (warnings ??= duplicateWarnings(tasks)) });
    return board;
  }
}

/** Context a region needs from above it: on a board of several titles, a title to count and the one it sits under. */
function titlePreamble(titles: Title[], start: number): string {
  if (titles.length < 2) return '';
  const above = [...titles].reverse().find((t) => t.start < start);
  return `# ${CONTEXT_TITLE}\n\n${above ? `${above.source}\n\n` : ''}`;
}

function idPrefixes(source: string): Map<string, Set<string>> {
  const prefixes = new Map<string, Set<string>>();
  for (const match of source.matchAll(/\b([A-Z][A-Za-z0-9]*)-(\d+)/g)) {
    let numbers = prefixes.get(match[1]!);
    if (!numbers) prefixes.set(match[1]!, (numbers = new Set()));
    if (numbers.size < 2) numbers.add(match[2]!);
  }
  return prefixes;
}

/** A task with its offsets and line moved, as a new object (readings in the cache are shared). */
function moved(t: Task, by: number, lines: number, lane: number | undefined): Task {
  // Property by property after one spread, never `delete`: this runs for every task after an edit.
  const task: Task = { ...t, line: t.line + lines, span: shift(t.span, by), firstLine: shift(t.firstLine, by) };
  if (t.mark !== undefined) task.mark = shift(t.mark, by);
  if (t.statusText !== undefined) task.statusText = shift(t.statusText, by);
  if (t.titleText !== undefined) task.titleText = shift(t.titleText, by);
  if (t.ownerText !== undefined) task.ownerText = shift(t.ownerText, by);
  if (lane !== undefined) task.lane = lane;
  return task;
}

function shift(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

/** The reader's duplicate-id warnings, over the whole board. */
function duplicateWarnings(tasks: Task[]): string[] {
  const first = new Map<string, number>();
  const duplicates: { id: string; first: number; line: number }[] = [];
  for (const t of tasks) {
    const seen = first.get(t.id);
    if (seen === undefined) first.set(t.id, t.line);
    else duplicates.push({ id: t.id, first: seen, line: t.line });
  }
  if (duplicates.length <= 3) return duplicates.map((d) => `duplicate id ${d.id} on lines ${d.first} and ${d.line}; the first one is used`);
  const examples = duplicates
    .slice(0, 3)
    .map((d) => `${d.id} on lines ${d.first} and ${d.line}`)
    .join(', ');
  return [`${duplicates.length.toLocaleString('en-US')} tasks repeat an id already on the board (${examples}, …); the first task with each id is used`];
}
