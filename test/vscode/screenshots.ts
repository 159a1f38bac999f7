// Screenshots of the Corral views in a real VS Code, light and dark, for docs/images/ and the
// README: the extension from its development path (dist/), a fixture repository with a board, two
// sessions started from outside. Run by `scripts/test-vscode.sh --screenshots <dir>`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SessionPause, SessionRemove, SessionStart } from '../../server/protocol';
import { outsideClientFor } from './outside';
import { openWorkbench, type Workbench } from './workbench';

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

async function shoot(theme: keyof typeof THEMES): Promise<void> {
  const dir = path.join(runDir, `shot-${theme}`);
  fs.mkdirSync(dir, { recursive: true });
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench({
      cache,
      runDir: dir,
      workspace,
      settings: { 'workbench.colorTheme': THEMES[theme], 'window.commandCenter': false, 'workbench.layoutControl.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
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
    await page.locator('.workbench-hover', { hasText: 'Repository' }).first().waitFor({ timeout: 15_000 }).catch(() => console.log('the tooltip did not show'));
    await page.screenshot({ path: path.join(outDir, `vscode-views-${theme}.png`) });
    console.log(`screenshot: ${path.join(outDir, `vscode-views-${theme}.png`)}`);
  } finally {
    await workbench?.close();
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const outside = await outsideClientFor(process.env.CORRAL_HOME);
  const started: string[] = [];
  try {
    const first = await outside.rpc.sendRequest(SessionStart, { repo: workspace, image, name: 'fix-login' });
    started.push(first.id);
    const second = await outside.rpc.sendRequest(SessionStart, { repo: workspace, image, name: 'refactor-db' });
    started.push(second.id);
    await outside.rpc.sendRequest(SessionPause, { session: second.id });
    for (const theme of ['light', 'dark'] as const) await shoot(theme);
  } finally {
    for (const id of started) await outside.rpc.sendRequest(SessionRemove, { session: id, purge: true }).catch(() => undefined);
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
