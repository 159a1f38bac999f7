import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { SessionRemove, SessionStart, UsageImport, UsageQuery, type SessionInfo, type UsageReport } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import type { WebAnswer } from '../../extension/webview/panel';
import { bounded, corral, EXTENSION_ID, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

/** The tabs of the Corral panel (VS Code prefixes a webview's view type in the tab's input). */
function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('corral.web'));
}

/**
 * The panel's page: scripts on, only dist/web loadable, no retained context; a CSP that admits
 * only the nonce'd module (no inline script), and the bundle's URIs made by asWebviewUri.
 */
function assertSafePage(webview: vscode.Webview): void {
  const options = webview.options;
  assert.equal(options.enableScripts, true);
  const web = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'dist', 'web').toString();
  assert.deepEqual(
    (options.localResourceRoots ?? []).map((uri) => uri.toString()),
    [web],
    'only dist/web may be loaded',
  );
  const html = webview.html;
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;|&apos;/g, "'");
  assert.ok(csp, 'the page carries its CSP');
  const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  assert.ok(nonce, `scripts by nonce only: ${csp}`);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one script: the app module');
  const [, attributes = '', body = ''] = scripts[0]!;
  assert.equal(body.trim(), '', 'no inline script');
  assert.ok(attributes.includes(`nonce="${nonce}"`), 'the module carries the nonce');
  const src = /src="([^"]+)"/.exec(attributes)?.[1] ?? '';
  assert.ok(
    src.startsWith(
      webview
        .asWebviewUri(vscode.Uri.parse(`${web}/app.js`))
        .toString()
        .replace(/&/g, '&amp;'),
    ),
    `the bundle by asWebviewUri: ${src}`,
  );
}

/**
 * The web app in a VS Code panel. The page itself sits two iframes deep, out of the extension
 * host's reach; what it asked the daemon and what it was answered are seen through the panel's
 * `onDidAnswer` (every request of the page passes through the extension), so each test waits for
 * the page's own request: the page ran (CSP, bundle URIs, chunks) and got the daemon's answer.
 */
describe('Corral panel (web app in a webview)', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let session: SessionInfo | undefined;
  let answers: WebAnswer[] = [];
  let listening: vscode.Disposable | undefined;
  const seen = (): string => answers.map((a) => `${a.method}:${a.ok ? 'ok' : `error ${a.message}`}`).join(', ') || 'no request from the page';
  const answerTo = (method: string, accept: (answer: WebAnswer & { ok: true }) => boolean = () => true): Promise<WebAnswer & { ok: true }> =>
    waitFor(api.web.onDidAnswer, () => answers.find((a): a is WebAnswer & { ok: true } => a.method === method && a.ok && accept(a)), `the page's ${method} answered`, 30_000, seen);

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'the extension to connect');
    listening = api.web.onDidAnswer((answer) => answers.push(answer));
  });

  beforeEach(() => {
    answers = [];
  });

  after(async () => {
    listening?.dispose();
    for (const tab of panelTabs()) await vscode.window.tabGroups.close(tab);
    if (session) await bounded(outside.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }), 'cleanup session/remove', 30_000).catch(() => undefined);
    outside?.dispose();
  });

  it('contributes its commands and the onWebviewPanel activation', async () => {
    const json = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { activationEvents: string[]; contributes: { commands: { command: string; title: string }[] } };
    assert.ok(json.activationEvents.includes('onWebviewPanel:corral.web'));
    const titles = new Map(json.contributes.commands.map((c) => [c.command, c.title]));
    assert.equal(titles.get('corral.openWebApp'), 'Open Corral Panel');
    assert.equal(titles.get('corral.openUsage'), 'Show Usage');
    const registered = await vscode.commands.getCommands(true);
    for (const command of ['corral.openWebApp', 'corral.openUsage']) assert.ok(registered.includes(command), `${command} is registered`);
  });

  it('Show Usage opens the panel on its usage page, which shows the totals usage/query gives for a seeded ledger', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const rows = [1, 2, 3].map((n) => ({
      externalId: `panel-test-${randomUUID()}`,
      at,
      provider: 'openai',
      model: 'gpt-4o',
      session: 'panel-test',
      inputTokens: 1000 * n,
      outputTokens: 100 * n,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    }));
    const imported = await bounded(outside.rpc.sendRequest(UsageImport, { source: 'codex', rows }), 'usage/import');
    assert.equal(imported.added, 3);
    const expected = await bounded(outside.rpc.sendRequest(UsageQuery, { since: '30d', by: 'day' }), 'usage/query');
    assert.ok(expected.total.calls >= 3 && expected.total.inputTokens >= 6000, 'the seeded rows are in the ledger');

    await bounded(vscode.commands.executeCommand('corral.openUsage'), 'corral.openUsage');
    // The tab model follows the panel asynchronously.
    await waitFor(
      vscode.window.tabGroups.onDidChangeTabs,
      () => panelTabs().length === 1 && panelTabs()[0]!.isActive,
      'the Corral panel as the active tab',
      20_000,
      () => `${panelTabs().length} panel tab(s)`,
    );
    const [panel] = api.web.openPanels;
    assert.ok(panel);
    assertSafePage(panel.webview);
    const hello = await answerTo('corral/hello');
    assert.equal((hello.result as { identity: { user: string } }).identity.user, api.ctx.connection?.hello.identity.user, "the page is signed in as the extension's user");
    const shown = await answerTo('usage/query', (a) => (a.params as { by?: string }).by === 'day');
    assert.deepEqual((shown.result as UsageReport).total, expected.total, 'the page was given the same totals as usage/query from outside');
    await answerTo('usage/query', (a) => (a.params as { by?: string }).by === 'model');
    assert.deepEqual(
      answers.filter((a) => !a.ok),
      [],
      'no request of the page was refused',
    );
  });

  it('the sessions page of the same panel lists a session started from outside', async () => {
    session = await bounded(outside.rpc.sendRequest(SessionStart, { repo: workspaceFolder(), image: IMAGE, name: 'panel-test' }), 'session/start', 60_000);
    const id = session.id;
    await bounded(vscode.commands.executeCommand('corral.openWebApp', 'sessions'), 'corral.openWebApp sessions');
    assert.equal(api.web.count, 1, 'opening again brings the open panel forward, it does not open a second');
    await answerTo('session/list', (a) => Array.isArray(a.result) && (a.result as SessionInfo[]).some((s) => s.id === id));
    assert.equal(panelTabs().length, 1, 'still one panel tab');
  });

  it('closing the panel disposes it', async () => {
    assert.equal(api.web.count, 1);
    for (const tab of panelTabs()) await vscode.window.tabGroups.close(tab);
    await waitFor(
      vscode.window.tabGroups.onDidChangeTabs,
      () => api.web.count === 0,
      'the closed panel to be disposed',
      20_000,
      () => `${api.web.count} panel(s)`,
    );
  });
});
