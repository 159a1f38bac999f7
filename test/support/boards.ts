import * as fs from 'node:fs';
import * as path from 'node:path';

/** The real boards of ../shared/corpus (kept outside the repository). */
export const corpusDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'tasks-md');
/** Boards in the repository: `written/` by us for one class of failure each, `real/` from public repositories. */
export const fixturesDir = path.resolve(__dirname, '..', 'fixtures', 'boards');

/** A fixture board's text, by its path under test/fixtures/boards. */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(fixturesDir, name), 'utf8');
}

/** Every board there is to test on: the corpus, the written fixtures and the real ones. */
export function allBoards(): { name: string; text: string }[] {
  const boards: { name: string; text: string }[] = [];
  const add = (dir: string, prefix: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => /\.(md|markdown)$/i.test(f) && f !== 'README.md')
      .sort())
      boards.push({ name: `${prefix}${file}`, text: fs.readFileSync(path.join(dir, file), 'utf8') });
  };
  if (fs.existsSync(corpusDir)) add(corpusDir, 'corpus/');
  else console.log(`    the corpus boards are left out: no ${corpusDir} (it comes with ../shared beside the clone)`);
  add(path.join(fixturesDir, 'written'), 'written/');
  add(path.join(fixturesDir, 'real'), 'real/');
  return boards;
}

/** The 1-based range of `before`'s lines that `after` changed (common prefix and suffix removed), and how many lines were added. */
export function changedLines(before: string, after: string): { from: number; to: number; added: number } {
  const a = before.split('\n');
  const b = after.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return { from: prefix + 1, to: a.length - suffix, added: b.length - a.length };
}

/** The board both sides of a session's changes edit in the board-merge tests (integration and e2e). */
export const MERGE_BOARD = [
  '# Tasks',
  '',
  '## In progress',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Parser',
  '- [ ] T-2 Printer',
  '- [ ] T-3 Colours',
  '- [ ] T-4 Docs',
  '',
  '## Done',
  '',
  '- [x] T-0 Setup',
  '',
].join('\n');
