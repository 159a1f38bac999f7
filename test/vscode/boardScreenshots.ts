// The board editor (Corral: Open Board as Kanban) in the screenshot run: opened as a user would, a card
// moved with the keyboard inside the webview, the document then dirty; then reverted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

export async function shootBoard(page: Page, theme: string, outDir: string, runCommand: (page: Page, title: string) => Promise<void>, boardFile: string): Promise<void> {
  const original = fs.readFileSync(boardFile, 'utf8');
  // No editor open: the command opens the workspace's board (corral.boardFiles) as a kanban.
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15_000 });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
  await runCommand(page, 'Corral: Open Board as Kanban');
  const board = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await board.locator('main[data-ready="kanban"] .kanban-area[data-complete]').waitFor({ timeout: 30_000 });
  // T-3 from Todo to Done with the keyboard: Space, one column right, Space.
  await board.locator('article[data-task="T-3"]').focus();
  for (const key of ['Space', 'ArrowRight', 'Space']) await page.keyboard.press(key);
  await board.locator('ul.cards[data-status="done"] article[data-task="T-3"]').waitFor({ timeout: 15_000 });
  const dirty = await page
    .locator('.tabs-container .tab.dirty', { hasText: 'TASKS.md' })
    .first()
    .waitFor({ timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  if (!dirty) throw new Error('the move did not leave the board document dirty (edited, not saved)');
  if (fs.readFileSync(boardFile, 'utf8') !== original) throw new Error('the move wrote the file behind the editor');
  await board.locator('article[data-task="T-2"]').focus();
  const file = path.join(outDir, `vscode-board-${theme}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file} (T-3 moved to Done with the keyboard; the document is dirty)`);
  // Back to the file's text (the palette, as a user would), then the file checked untouched.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.keyboard.type('File: Revert File');
  const row = page.locator('.quick-input-list .monaco-list-row.focused');
  await row.first().waitFor({ timeout: 15_000 });
  // The row Enter takes must be that command (a quick palette can still show the last one's rows).
  if ((await row.first().innerText()).trim() !== 'File: Revert File') throw new Error(`the palette offers ${JSON.stringify(await row.first().innerText())}, not File: Revert File`);
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 15_000 });
  if (fs.readFileSync(boardFile, 'utf8') !== original) throw new Error('after Revert File the board file is not as it was');
}
