import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../support/home';
import { startWebApp, WAIT, type WebApp } from '../support/webApp';

/**
 * The kanban of the browser app (`corral web`) against a live daemon: columns and cards as the
 * board has them, a card moved by drag and by keyboard changes exactly that task's line in the
 * file, moves the board cannot make change nothing, card actions, filters, axe-core clean.
 * CORRAL_WEB_SCREENSHOTS=1 also writes docs/images/kanban-<theme>.png.
 */
const BOARD = `# Board

## Todo

- [ ] T-1 Write the parser @ann #parser
  - [x] tokens
  - [ ] tables
- [ ] T-2 Document the CLI #docs
- [ ] T-3 Release notes @bob #docs
- [ ] T-8 Ship it after T-4

## In progress

- [ ] T-4 The web app @bob

## Done

- [x] T-5 The daemon
- [x] T-6 The store
`;

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

describe('kanban in the browser app', function () {
  this.timeout(120_000);
  let app: WebApp;
  let page: Page;
  let board: string;

  const announced = (text: string): Promise<unknown> =>
    page.waitForFunction((words) => document.getElementById('announcer')?.textContent?.includes(words), text, { timeout: WAIT });
  const version = (): Promise<string | null> => page.getAttribute('.kanban-area', 'data-version');
  /** Waits for the kanban to show a version of the board other than `old`. */
  const redrawn = (old: string | null): Promise<unknown> =>
    page.waitForFunction((v) => document.querySelector('.kanban-area')?.getAttribute('data-version') !== v, old, { timeout: WAIT });
  const cardsIn = (status: string): Promise<string[]> =>
    page.$$eval(`ul.cards[data-status="${status}"] article.card`, (cards) => cards.map((c) => c.getAttribute('data-task') ?? ''));
  const open = async (): Promise<void> => {
    // A fresh page each time: the same address again would keep the last test's filters.
    await page.goto('about:blank');
    await page.goto(`${app.url}#/board?file=${encodeURIComponent(board)}`);
    await page.waitForSelector('main[data-ready="board"] .kanban-area[data-version]', { timeout: WAIT });
  };

  before(async () => {
    app = await startWebApp('kanban');
    page = app.page;
    board = path.join(app.repo, 'docs', 'TASKS.md');
  });
  beforeEach(async () => {
    fs.writeFileSync(board, BOARD);
    await open();
  });
  after(async () => {
    await app?.close();
  });

  it('shows the board as columns in its order, with counts, and cards with assignees, tags, subtasks and dependencies', async () => {
    const columns = await page.$$eval('section.column', (sections) =>
      sections.map((s) => [s.getAttribute('data-status'), s.getAttribute('data-title'), Number(s.querySelector('.count')?.getAttribute('data-count'))]),
    );
    assert.deepEqual(columns, [
      ['todo', 'Todo', 4],
      ['in_progress', 'In progress', 1],
      ['done', 'Done', 2],
      ['review', 'Review', 0],
      ['blocked', 'Blocked', 0],
    ]);
    const t1 = (await page.textContent('article[data-task="T-1"]')) ?? '';
    assert.match(t1, /T-1 Write the parser/);
    assert.match(t1, /@ann.*#parser.*1\/2 subtasks/);
    // T-8 waits for T-4, which is not done.
    assert.equal(await page.textContent('article[data-task="T-8"] .badge-blocked'), 'blocked by T-4');
    assert.equal(await page.getAttribute('article[data-task="T-1"] button.card-actions', 'aria-label'), 'Actions for T-1');
  });

  it('a card dragged to another column changes exactly its line in the file', async () => {
    const before = await version();
    await page.dragAndDrop('article[data-task="T-3"]', 'section.column[data-status="done"] ul.cards');
    await announced('T-3 moved to Done');
    await redrawn(before);
    assert.equal(
      fs.readFileSync(board, 'utf8'),
      BOARD.replace('- [ ] T-3 Release notes @bob #docs\n', '').replace('- [x] T-6 The store\n', '- [x] T-6 The store\n- [x] T-3 Release notes @bob #docs\n'),
    );
    assert.deepEqual(await cardsIn('done'), ['T-5', 'T-6', 'T-3']);
  });

  it('a card moved with the keyboard (Space, arrows, Space) changes exactly its line, each step announced', async () => {
    await page.focus('article[data-task="T-2"]');
    await page.keyboard.press('Space');
    await announced('Picked up T-2: Todo, position 2 of 4');
    await page.keyboard.press('ArrowRight');
    await announced('T-2: In progress, position 2 of 2');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-task')), 'T-2', 'the focus stays on the carried card');
    const before = await version();
    await page.keyboard.press('Space');
    await announced('T-2 moved to In progress');
    await redrawn(before);
    assert.equal(
      fs.readFileSync(board, 'utf8'),
      BOARD.replace('- [ ] T-2 Document the CLI #docs\n', '').replace('- [ ] T-4 The web app @bob\n', '- [ ] T-4 The web app @bob\n- [~] T-2 Document the CLI #docs\n'),
    );
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-task')), 'T-2', 'the focus follows the card into its new column');
  });

  it('Escape puts a carried card back, and a new place in the same column is refused: the file is untouched', async () => {
    await page.focus('article[data-task="T-1"]');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await announced('T-1: Done');
    await page.keyboard.press('Escape');
    await announced('Move of T-1 cancelled');
    assert.deepEqual(await cardsIn('todo'), ['T-1', 'T-2', 'T-3', 'T-8']);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await announced('T-1: Todo, position 2 of 4');
    await page.keyboard.press('Space');
    await announced('T-1 stays where it was');
    assert.deepEqual(await cardsIn('todo'), ['T-1', 'T-2', 'T-3', 'T-8']);
    assert.equal(fs.readFileSync(board, 'utf8'), BOARD);
  });

  it('a move the board cannot write is refused with its reason, and changes nothing', async () => {
    // "review" on a board with no Review lane and a plain list item: the edit code refuses.
    fs.writeFileSync(board, BOARD.replace('## Done\n\n- [x] T-5 The daemon\n- [x] T-6 The store\n', '## Done\n\n- T-5 The daemon\n'));
    const text = fs.readFileSync(board, 'utf8');
    await open();
    await page.dragAndDrop('article[data-task="T-5"]', 'section.column[data-status="review"] ul.cards');
    await page.waitForSelector('.kanban-alert [role=alert]', { timeout: WAIT });
    assert.match((await page.textContent('.kanban-alert [role=alert]')) ?? '', /T-5 was not changed: .*review/);
    assert.equal(fs.readFileSync(board, 'utf8'), text);
    await page.waitForSelector('ul.cards[data-status="done"] article[data-task="T-5"]', { timeout: WAIT });
  });

  it('card actions from the keyboard: Block… asks for the reason and writes it under the task', async () => {
    await page.focus('article[data-task="T-8"] button.card-actions');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.card-menu[role=menu]', { timeout: WAIT });
    const items = await page.$$eval('.card-menu [role=menuitem]', (all) => all.map((i) => i.textContent));
    assert.deepEqual(items, ['Start (assign to me)', 'Ready for review', 'Done', 'Block…', 'Hand off…', 'Add note…', 'Run the agent on it']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.kanban-dialog[open]', { timeout: WAIT });
    const before = await version();
    await page.keyboard.type('waits on the release');
    await page.keyboard.press('Enter');
    await announced('T-8: block done');
    await redrawn(before);
    const text = fs.readFileSync(board, 'utf8');
    assert.match(text, /- \[!\] T-8 Ship it after T-4\n {2}- \d{4}-\d\d-\d\d \d\d:\d\d [\w.-]+: blocked: waits on the release\n\n## In progress/);
    assert.equal(text.replace(/- \[!\] T-8 Ship it after T-4\n {2}- [^\n]+\n/, '- [ ] T-8 Ship it after T-4\n'), BOARD, 'nothing else changed');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Actions for T-8', 'the focus is back on the button');
  });

  it('filters by text, assignee and tag', async () => {
    const visible = (): Promise<string[]> => page.$$eval('article.card', (cards) => cards.map((c) => c.getAttribute('data-task') ?? ''));
    await page.fill('#kanban-filter', 'release');
    assert.deepEqual(await visible(), ['T-3']);
    assert.equal(await page.textContent('section[data-status="todo"] .count'), '1/4');
    await page.fill('#kanban-filter', '');
    await page.selectOption('#kanban-assignee', 'bob');
    assert.deepEqual(await visible(), ['T-3', 'T-4']);
    await page.selectOption('#kanban-tag', 'docs');
    assert.deepEqual(await visible(), ['T-3']);
    await page.selectOption('#kanban-assignee', '');
    assert.deepEqual(await visible(), ['T-2', 'T-3']);
  });

  it('is one Tab stop among the cards (the last focused, with its ⋯ button); the arrows go from card to card', async () => {
    await page.focus('#kanban-run-next');
    const active = (): Promise<string | null> =>
      page.evaluate(
        () =>
          document.activeElement?.getAttribute('data-task') ?? document.activeElement?.getAttribute('data-collapse') ?? document.activeElement?.getAttribute('aria-label') ?? null,
      );
    const tabs: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      tabs.push(await active());
    }
    // Run next → the Todo toggle → the first card → its ⋯ → the next column's toggle.
    assert.deepEqual(tabs, ['todo', 'T-1', 'Actions for T-1', 'in_progress']);
    await page.focus('article[data-task="T-1"]');
    await page.keyboard.press('ArrowDown');
    assert.equal(await active(), 'T-2');
    await page.keyboard.press('ArrowRight');
    assert.equal(await active(), 'T-4');
    assert.deepEqual(await page.$$eval('article.card[tabindex="0"]', (cards) => cards.map((c) => c.getAttribute('data-task'))), ['T-4'], 'the focused card is the one Tab stop');
  });

  it('collapses a column from its heading button', async () => {
    await page.click('button[data-collapse="done"]');
    assert.equal(await page.getAttribute('button[data-collapse="done"]', 'aria-expanded'), 'false');
    assert.equal(await page.isVisible('ul.cards[data-status="done"]'), false);
    await page.keyboard.press('Enter');
    assert.equal(await page.isVisible('ul.cards[data-status="done"]'), true);
  });

  it('shows an edit of the file made outside (tasks/changed)', async () => {
    const before = await version();
    fs.writeFileSync(board, BOARD.replace('- [ ] T-2 Document', '- [x] T-2 Document'));
    await redrawn(before);
    assert.ok((await cardsIn('done')).includes('T-2'));
  });

  for (const scheme of ['light', 'dark', 'hc-dark', 'hc-light'] as const) {
    it(`has no serious or critical axe-core violation, menu open (${scheme})`, async () => {
      const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
      const picked = scheme.startsWith('hc-');
      await page.emulateMedia({ colorScheme: picked ? 'light' : (scheme as 'light' | 'dark') });
      await page.evaluate((theme) => localStorage.setItem('corral.theme', theme), picked ? scheme : 'system');
      await page.reload();
      await page.waitForSelector('.kanban-area[data-version]', { timeout: WAIT });
      if (process.env.CORRAL_WEB_SCREENSHOTS === '1') await page.screenshot({ path: path.join(repoRoot, 'docs', 'images', `kanban-${scheme}.png`) });
      await page.click('article[data-task="T-1"] button.card-actions');
      await page.waitForSelector('.card-menu', { timeout: WAIT });
      await page.evaluate(axe);
      const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
      const problems = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      assert.deepEqual(problems, []);
      await page.evaluate(() => localStorage.removeItem('corral.theme'));
    });
  }
});
