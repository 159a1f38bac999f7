import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { pageCsp, renderPage } from '../../webview/html';

/** Scripts on; only the built app (dist/web) may be loaded into the page. */
export function webAppOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'web')] };
}

/**
 * The web app's page in a webview: an entry script of dist/web (`app.js`, or the board editor's
 * `kanbanEditor.js`), its stylesheet, a fresh nonce and the CSP that admits only those.
 */
export function webAppHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: string, route: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'web', name)).toString();
  return renderPage({ nonce, csp: pageCsp({ nonce, source: webview.cspSource, connect: "'none'" }), script: asset(entry), style: asset('app.css'), host: 'vscode', route });
}
