import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import { AttachClosedNotification, AttachOutputNotification, SessionChanged, TasksChanged, UsageChanged, type CorralNotification } from '../../server/protocol';
import { Methods } from '../../webview/methods';
import type { Ctx } from '../ctx';
import { webAppHtml, webAppOptions } from './appPage';

/** The methods the app may have the extension call for it: those it declares, nothing else. */
const FORWARDED = new Set(Object.values(Methods).map((m) => m.method));
// The terminal page's attach/* output comes to this connection (the one that opened it): passed on too.
const NOTICES: CorralNotification<unknown>[] = [SessionChanged, TasksChanged, UsageChanged, AttachOutputNotification, AttachClosedNotification];
export const WEB_PAGES = ['sessions', 'board', 'usage'] as const;
export type WebPageName = (typeof WEB_PAGES)[number];

interface FromWebview {
  corral?: unknown;
  route?: unknown;
  message?: { id?: unknown; method?: unknown; params?: unknown };
}

/** One request a page made through the extension and how it was answered (see `WebPanels.onDidAnswer`). */
export type WebAnswer = { method: string; params: unknown } & ({ ok: true; result: unknown } | { ok: false; code: number; message: string });

/**
 * The web app (webview/) in a VS Code panel. The page posts JSON-RPC messages; this host answers
 * `corral/hello` with its own connection's identity and forwards the app's declared methods on
 * that connection (the daemon authorizes them as the extension's user); the daemon's
 * notifications come back the same way. State stays in the daemon and this host; the page keeps
 * only its route (`setState`), which the serializer restores after a reload. No
 * `retainContextWhenHidden`: a hidden panel is rebuilt from the daemon when shown.
 */
class CorralWebPanel {
  static readonly viewType = 'corral.web';
  private readonly disposables: vscode.Disposable[] = [];
  private route: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
    private readonly extensionUri: vscode.Uri,
    route: string,
    private readonly answered: (answer: WebAnswer) => void,
    onDispose: () => void,
  ) {
    panel.webview.options = webAppOptions(extensionUri);
    this.route = route;
    this.show(route);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: FromWebview) => void this.receive(data)),
      ...NOTICES.map((type) => ctx.notifications.on(type, (params) => void panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', method: type.method, params } }))),
      // A page that loaded while the daemon was away showed an error: load it again on the new connection.
      ctx.onDidConnect(() => this.show(this.route)),
    );
    panel.onDidDispose(
      () => {
        this.dispose();
        onDispose();
      },
      null,
      this.disposables,
    );
  }

  /** Loads the app afresh on `route` (a new page: the old one's requests are answered into nothing). */
  show(route: string): void {
    this.route = route;
    this.panel.webview.html = this.html(route);
  }

  private html(route: string): string {
    return webAppHtml(this.panel.webview, this.extensionUri, 'app.js', route);
  }

  private async receive(data: FromWebview): Promise<void> {
    if (data.corral === 'route') {
      if (typeof data.route === 'string' && ROUTE.test(data.route)) this.route = data.route;
      return;
    }
    const message = data.message;
    if (data.corral !== 'rpc' || typeof message?.method !== 'string' || typeof message.id !== 'number') return;
    const method = message.method;
    const reply = (answer: { result: unknown } | { error: { code: number; message: string; data: unknown } }): void => {
      this.answered({
        method,
        params: message.params,
        ...('result' in answer ? { ok: true, result: answer.result } : { ok: false, code: answer.error.code, message: answer.error.message }),
      });
      void this.panel.webview.postMessage({ corral: 'rpc', message: { jsonrpc: '2.0', id: message.id, ...answer } });
    };
    const connection = this.ctx.connection;
    if (connection === undefined)
      return reply({ error: { code: -1, message: 'not connected to the Corral daemon', data: { hint: 'wait for the status bar to say connected; the panel reloads by itself' } } });
    if (method === 'corral/hello') return reply({ result: connection.hello });
    if (!FORWARDED.has(method)) return reply({ error: { code: -32601, message: `${method} is not available to the panel`, data: { hint: 'declare it in webview/methods.ts' } } });
    try {
      return reply({ result: await connection.rpc.sendRequest(method, message.params) });
    } catch (error) {
      return reply({
        error:
          error instanceof ResponseError
            ? { code: error.code, message: error.message, data: error.data as unknown }
            : { code: -1, message: String(error), data: { hint: 'reopen the panel; if it persists, see the Corral output channel' } },
      });
    }
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** A route of the app: `#/page` with an optional query (`#/board?file=…`). */
const ROUTE = /^#\/[a-z]+(\?[^#]*)?$/;

function routeOf(state: unknown): string {
  const route = typeof state === 'object' && state !== null ? (state as { route?: unknown }).route : undefined;
  return typeof route === 'string' && ROUTE.test(route) ? route : '#/sessions';
}

/**
 * The Corral panel: `corral.openWebApp` (optionally with a page: sessions, board, usage) and
 * `corral.openUsage` open it, or bring the open one forward on that page; the serializer brings it
 * back after a reload on the route the page saved.
 */
export class WebPanels implements vscode.Disposable {
  private readonly panels = new Set<CorralWebPanel>();
  private readonly answers = new vscode.EventEmitter<WebAnswer>();
  /** Every request a panel's page made and its answer: the extension's tests see the page's traffic through it. */
  readonly onDidAnswer = this.answers.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly ctx: Ctx,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.disposables = [
      this.answers,
      vscode.commands.registerCommand('corral.openWebApp', (page?: unknown) => this.open(WEB_PAGES.includes(page as WebPageName) ? (page as WebPageName) : 'sessions')),
      vscode.commands.registerCommand('corral.openUsage', () => this.open('usage')),
      vscode.window.registerWebviewPanelSerializer(CorralWebPanel.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => void this.adopt(panel, routeOf(state)),
      }),
    ];
  }

  /** The open panels' count (one, normally: opening again brings it forward). */
  get count(): number {
    return this.panels.size;
  }

  /** The open panels, for the tests to check their options and page (CSP, resource roots). */
  get openPanels(): readonly vscode.WebviewPanel[] {
    return [...this.panels].map((web) => web.panel);
  }

  open(page: WebPageName): void {
    const existing = [...this.panels][0];
    if (existing !== undefined) {
      existing.show(`#/${page}`);
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(CorralWebPanel.viewType, 'Corral', vscode.ViewColumn.Active, webAppOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'extension', 'media', 'corral.svg');
    this.adopt(panel, `#/${page}`);
  }

  private adopt(panel: vscode.WebviewPanel, route: string): void {
    const web = new CorralWebPanel(
      panel,
      this.ctx,
      this.extensionUri,
      route,
      (answer) => this.answers.fire(answer),
      () => this.panels.delete(web),
    );
    this.panels.add(web);
  }

  dispose(): void {
    for (const web of this.panels) web.panel.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
