import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import { SessionChanged, TasksChanged, UsageChanged, type CorralNotification } from '../../server/protocol';
import { pageCsp, renderPage } from '../../webview/html';
import { Methods } from '../../webview/methods';
import type { Ctx } from '../ctx';

/** The methods the app may have the extension call for it: those it declares, nothing else. */
const FORWARDED = new Set(Object.values(Methods).map((m) => m.method));
const NOTICES: CorralNotification<unknown>[] = [SessionChanged, TasksChanged, UsageChanged];
const PAGES = ['sessions', 'board', 'usage'] as const;
type PageName = (typeof PAGES)[number];

interface FromWebview {
  corral?: unknown;
  message?: { id?: unknown; method?: unknown; params?: unknown };
}

/**
 * The web app (webview/) in a VS Code panel. The page posts JSON-RPC messages; this host answers
 * `corral/hello` with its own connection's identity and forwards the app's declared methods on
 * that connection (the daemon authorizes them as the extension's user); the daemon's
 * notifications come back the same way. State stays in the daemon and this host; the page keeps
 * only its route (`setState`), which the serializer restores after a reload. No
 * `retainContextWhenHidden`: a hidden panel is rebuilt from the daemon when shown.
 */
export class CorralWebPanel {
  static readonly viewType = 'corral.web';
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
    private readonly extensionUri: vscode.Uri,
    route: string,
  ) {
    const web = vscode.Uri.joinPath(extensionUri, 'dist', 'web');
    panel.webview.options = { enableScripts: true, localResourceRoots: [web] };
    panel.webview.html = this.html(route);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: FromWebview) => void this.receive(data)),
      ...NOTICES.map((type) => ctx.notifications.on(type, (params) => void panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', method: type.method, params } }))),
    );
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
  }

  static open(ctx: Ctx, extensionUri: vscode.Uri, page: PageName): CorralWebPanel {
    const panel = vscode.window.createWebviewPanel(CorralWebPanel.viewType, 'Corral', vscode.ViewColumn.Active, { enableScripts: true });
    return new CorralWebPanel(panel, ctx, extensionUri, `#/${page}`);
  }

  static revive(panel: vscode.WebviewPanel, ctx: Ctx, extensionUri: vscode.Uri, state: unknown): CorralWebPanel {
    const route = typeof state === 'object' && state !== null && typeof (state as { route?: unknown }).route === 'string' ? (state as { route: string }).route : '#/sessions';
    return new CorralWebPanel(panel, ctx, extensionUri, route);
  }

  private html(route: string): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'web', name)).toString();
    return renderPage({ nonce, csp: pageCsp({ nonce, source: webview.cspSource, connect: "'none'" }), script: asset('app.js'), style: asset('app.css'), host: 'vscode', route });
  }

  private async receive(data: FromWebview): Promise<void> {
    const message = data.message;
    if (data.corral !== 'rpc' || typeof message?.method !== 'string' || typeof message.id !== 'number') return;
    const reply = (body: object): Thenable<boolean> => this.panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', id: message.id, ...body } });
    const connection = this.ctx.connection;
    if (connection === undefined) return void reply({ error: { code: -1, message: 'not connected to the Corral daemon', data: { hint: 'wait for the status bar to say connected, then reopen the panel' } } });
    if (message.method === 'corral/hello') return void reply({ result: connection.hello });
    if (!FORWARDED.has(message.method)) return void reply({ error: { code: -32601, message: `${message.method} is not available to the panel`, data: { hint: 'declare it in webview/methods.ts' } } });
    try {
      return void reply({ result: await connection.rpc.sendRequest(message.method, message.params) });
    } catch (error) {
      const e = error instanceof ResponseError ? { code: error.code, message: error.message, data: error.data as unknown } : { code: -1, message: String(error), data: { hint: '' } };
      return void reply({ error: e });
    }
  }

  private dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/**
 * `corral.openWebApp` (optionally with a page: sessions, board, usage) and the serializer that
 * brings the panels back after a reload. The commands and `onWebviewPanel:corral.web` still need
 * their entries in package.json's `contributes`/`activationEvents` to show in the palette.
 */
export function registerWebPanel(ctx: Ctx, extension: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('corral.openWebApp', (page?: unknown) => CorralWebPanel.open(ctx, extension.extensionUri, PAGES.includes(page as PageName) ? (page as PageName) : 'sessions')),
    vscode.window.registerWebviewPanelSerializer(CorralWebPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => void CorralWebPanel.revive(panel, ctx, extension.extensionUri, state),
    }),
  ];
}
