// The Runs view and a review in the screenshot run (scripts/test-vscode.sh --screenshots): an
// agent run of the local fake provider in a session, then its view and its multi-file diff.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { AgentRun, type RunSummary } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { PROVIDER, startFakeProvider, type FakeProvider } from './fakeProvider';

/** A short run that reads, writes a file, edits one, checks and finishes; its session then has changes to review. */
export async function fakeRun(outside: DaemonConnection, session: string): Promise<{ summary: RunSummary; fake: FakeProvider }> {
  const fake = await startFakeProvider();
  fake.llm.play([
    { text: 'Let me look at the README first.', toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }], usage: { input: 2400, output: 40 } },
    {
      text: 'Adding the login check.',
      toolCalls: [
        {
          name: 'write_file',
          arguments: {
            path: 'src/login.sh',
            content: '#!/bin/sh\n# Refuses an empty user name.\n[ -n "$1" ] || { echo "login: a user name is needed" >&2; exit 2; }\necho "welcome, $1"\n',
          },
        },
      ],
      usage: { input: 2900, output: 120 },
    },
    {
      toolCalls: [{ name: 'edit_file', arguments: { path: 'README.md', old_text: 'fixture\n', new_text: 'fixture\n\nLog in with `src/login.sh NAME`.\n' } }],
      usage: { input: 3300, output: 60 },
    },
    {
      text: 'Checking it.',
      toolCalls: [{ name: 'shell', arguments: { command: 'sh src/login.sh alice && sh src/login.sh; echo "exit $?"' } }],
      usage: { input: 3500, output: 30 },
    },
    { toolCalls: [{ name: 'finish', arguments: { summary: 'Added src/login.sh (refuses an empty name) and documented it in the README.' } }], usage: { input: 3700, output: 40 } },
  ]);
  const summary = await outside.rpc.sendRequest(AgentRun, { prompt: 'Add a login script that refuses an empty user name', session, provider: PROVIDER });
  if (summary.outcome !== 'finished') throw new Error(`the screenshot run ended ${summary.outcome}: ${summary.summary}`);
  return { summary, fake };
}

/** The Runs view with the run's steps, then Review Changes on its session (the multi-file diff). */
export async function shootRuns(page: Page, theme: string, outDir: string, runCommand: (page: Page, title: string) => Promise<void>): Promise<void> {
  const header = page.locator('.pane-header', { hasText: 'Runs' }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const run = page.locator('.monaco-list-row', { hasText: 'Add a login script' }).first();
  await run.waitFor({ timeout: 30_000 });
  if ((await run.getAttribute('aria-expanded')) !== 'true') await run.locator('.monaco-tl-twistie').click();
  await page.locator('.monaco-list-row', { hasText: '2. write_file src/login.sh' }).first().waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(outDir, `vscode-runs-${theme}.png`) });
  console.log(`screenshot: ${path.join(outDir, `vscode-runs-${theme}.png`)}`);

  await runCommand(page, 'Corral: Review Changes');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fix-login' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.type('fix-login');
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: 'fix-login' }).first().waitFor({ timeout: 30_000 });
  await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(outDir, `vscode-review-${theme}.png`) });
  console.log(`screenshot: ${path.join(outDir, `vscode-review-${theme}.png`)}`);
  // The review took the board's preview tab; the next shots expect the board open again.
  await page.getByText('T-2  Draw the tasks view').first().click();
  await page.locator('.tabs-container .tab', { hasText: 'TASKS.md' }).first().waitFor({ timeout: 30_000 });
}
