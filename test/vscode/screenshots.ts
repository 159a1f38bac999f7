// Screenshots of the Corral views in a real VS Code, light and dark, for docs/images/ and the
// README: the extension from its development path (dist/), a fixture repository with a board, two
// sessions started from outside. Run by `scripts/test-vscode.sh --screenshots <dir>`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { SessionPause, SessionRemove, SessionStart, UsageImport, UsageQuery, type ImportRow, type UsageTotals } from '../../server/protocol';
import { count, money } from '../../webview/dom';
import { outsideClientFor } from './outside';
import { openWorkbench, type Workbench } from './workbench';
import { fakeRun, shootRuns } from './runsScreenshots';
import { shootBoard } from './boardScreenshots';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/test-vscode.sh sets it)`);
  return value;
};
const cache = env('CORRAL_VSCODE_CACHE');
const runDir = env('CORRAL_VSCODE_RUN');
const workspace = env('CORRAL_VSCODE_WORKSPACE');
const extensionPath = env('CORRAL_VSCODE_EXTENSION');
const outDir = env('CORRAL_VSCODE_SCREENSHOTS');
const image = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

async function shoot(theme: keyof typeof THEMES, total: UsageTotals): Promise<void> {
  const dir = path.join(runDir, `shot-${theme}`);
  fs.mkdirSync(dir, { recursive: true });
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench({
      cache,
      runDir: dir,
      workspace,
      settings: {
        'workbench.colorTheme': THEMES[theme],
        'window.commandCenter': false,
        'workbench.layoutControl.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
      payload: (remote) => [['extensionDevelopmentPath', remote(extensionPath)]],
      viewport: { width: 1280, height: 760 },
    });
    const page = workbench.page;
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.activitybar [aria-label^="Corral"]').first().click({ timeout: 30_000 });
    await page.getByText('fix-login', { exact: false }).first().waitFor({ timeout: 30_000 });
    await page.getByText('T-2  Draw the tasks view').first().waitFor({ timeout: 30_000 });
    // The board beside the views: open it from the tree, as a user would.
    await page.getByText('T-2  Draw the tasks view').first().click();
    await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
    // Hover the session, for the markdown tooltip.
    await page.getByText('fix-login', { exact: false }).first().hover();
    // The tooltip is resolved with session/show when hovered: wait for its table.
    await page
      .locator('.workbench-hover', { hasText: 'Repository' })
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => console.log('the tooltip did not show'));
    await page.screenshot({ path: path.join(outDir, `vscode-views-${theme}.png`) });
    console.log(`screenshot: ${path.join(outDir, `vscode-views-${theme}.png`)}`);
    await shootRuns(page, theme, outDir, runCommand);
    await shootPanel(page, theme, total);
    await shootBoard(page, theme, outDir, runCommand, path.join(workspace, 'docs', 'TASKS.md'));
  } finally {
    await workbench?.close();
  }
}

/**
 * The Corral panel (the web app in a webview), opened as a user would (Corral: Show Usage), on its
 * usage and sessions pages. The page sits two iframes deep; its tiles must show the totals
 * usage/query gives, or the run fails.
 */
async function shootPanel(page: Page, theme: keyof typeof THEMES, total: UsageTotals): Promise<void> {
  await runCommand(page, 'Corral: Show Usage');
  const app = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await app.locator('main[data-ready="usage"]').waitFor({ timeout: 30_000 });
  const tile = async (id: string): Promise<string> => (await app.locator(`[data-total="${id}"] .tile-value`).textContent({ timeout: 10_000 })) ?? '';
  const shown = { cost: await tile('cost'), calls: await tile('calls'), input: await tile('input') };
  const expected = { cost: money(total.costUsd), calls: count(total.calls), input: count(total.inputTokens) };
  if (JSON.stringify(shown) !== JSON.stringify(expected)) throw new Error(`the panel's usage tiles show ${JSON.stringify(shown)}, usage/query says ${JSON.stringify(expected)}`);
  await page.screenshot({ path: path.join(outDir, `vscode-panel-usage-${theme}.png`) });
  console.log(`screenshot: ${path.join(outDir, `vscode-panel-usage-${theme}.png`)} (tiles ${JSON.stringify(shown)})`);
  await app.locator('a[data-page="sessions"]').click();
  await app.locator('main[data-ready="sessions"] tr[data-session]').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(outDir, `vscode-panel-sessions-${theme}.png`) });
  console.log(`screenshot: ${path.join(outDir, `vscode-panel-sessions-${theme}.png`)}`);
  // A new daemon connection renders the page again, on the page the user went to (marked first,
  // so the old page cannot pass for the new one).
  await app.locator('body').evaluate((body) => (body.dataset.before = 'reconnect'));
  await runCommand(page, 'Corral: Reconnect to Daemon');
  await app.locator('body:not([data-before]) main[data-ready="sessions"]').waitFor({ timeout: 30_000 });
  // Hidden (another tab in front) and shown again, the page is rebuilt on the page it was on.
  await page.locator('.tabs-container .tab', { hasText: 'TASKS.md' }).first().click();
  await page.locator('.tabs-container .tab', { hasText: 'Corral' }).first().click();
  await app.locator('main[data-ready="sessions"]').waitFor({ timeout: 30_000 });
  // After a window reload the serializer brings the panel back, on the page it was on. Said, not
  // required: with the browser's own reload, the workbench saves its editors' state as the page
  // unloads, and once in four runs the reloaded window had not kept it; VS Code's Reload Window
  // saves it first.
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const back = await app
    .locator('main[data-ready="sessions"]')
    .waitFor({ timeout: 30_000 })
    .then(() => true)
    .catch(() => false);
  console.log(back ? 'the panel came back on its page after a window reload' : 'the panel did NOT come back on its page after a window reload');
}

/** Runs a command from the palette, as a user would. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Two weeks of calls of two models, so the usage page has days to chart. */
function seedRows(): ImportRow[] {
  const rows: ImportRow[] = [];
  const now = Date.now();
  for (let day = 13; day >= 0; day--) {
    for (const [model, calls] of [
      ['gpt-4o', 2 + (day % 4)],
      ['gpt-4o-mini', 6 + (day % 3)],
    ] as const) {
      for (let call = 0; call < calls; call++) {
        const input = 4000 + ((day * 7919 + call * 104729) % 9000);
        rows.push({
          externalId: `shot-${day}-${model}-${call}`,
          at: new Date(now - day * 86_400_000 - call * 60_000 - 3_600_000).toISOString(),
          provider: 'openai',
          model,
          session: 'screenshots',
          inputTokens: input,
          outputTokens: Math.round(input / 8),
          cacheReadTokens: Math.round(input / 3),
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        });
      }
    }
  }
  return rows;
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const outside = await outsideClientFor(process.env.CORRAL_HOME);
  const started: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    const first = await outside.rpc.sendRequest(SessionStart, { repo: workspace, image, name: 'fix-login' });
    started.push(first.id);
    const second = await outside.rpc.sendRequest(SessionStart, { repo: workspace, image, name: 'refactor-db' });
    started.push(second.id);
    await outside.rpc.sendRequest(SessionPause, { session: second.id });
    // An agent run (the local fake provider) in the first session: the Runs view and a review.
    const { fake } = await fakeRun(outside, first.id);
    stops.push(() => fake.close());
    await outside.rpc.sendRequest(UsageImport, { source: 'codex', rows: seedRows() });
    const { total } = await outside.rpc.sendRequest(UsageQuery, { since: '30d', by: 'day' });
    for (const theme of ['light', 'dark'] as const) await shoot(theme, total);
  } finally {
    for (const id of started) await outside.rpc.sendRequest(SessionRemove, { session: id, purge: true }).catch(() => undefined);
    for (const stop of stops) await stop();
    outside.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
