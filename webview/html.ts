/**
 * The app's one HTML page, for both hosts: the browser (served by the daemon, server/web) and a
 * VS Code webview (extension host). Pure string work, no DOM, so either host can render it.
 * Nothing but the nonce'd module script runs; every value is escaped.
 */
export interface PageOptions {
  /** A fresh random value per page load; the CSP admits only scripts carrying it. */
  nonce: string;
  /** The Content-Security-Policy, as a meta tag too (a webview has no response headers). */
  csp: string;
  /** URL of the app's entry module (`app.js`). */
  script: string;
  /** URL of the stylesheet (`app.css`). */
  style: string;
  /** `browser`: the stylesheet supplies the `--vscode-*` theme variables; `vscode`: the theme does. */
  host: 'browser' | 'vscode';
  /** The page to show first when the address has no route (a restored VS Code panel's). */
  route?: string;
}

export function renderPage(options: PageOptions): string {
  const attr = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en" data-host="${attr(options.host)}"${options.route === undefined ? '' : ` data-route="${attr(options.route)}"`}>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(options.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Corral</title>
<link rel="stylesheet" href="${attr(options.style)}" nonce="${attr(options.nonce)}">
<script type="module" src="${attr(options.script)}" nonce="${attr(options.nonce)}"></script>
</head>
<body>
<div id="app" class="app"><p class="status" role="status">Loading Corral…</p></div>
</body>
</html>
`;
}

/** The policy for a page: scripts only by nonce (and what they import), no inline script or style attributes from markup. */
export function pageCsp(options: { nonce: string; source: string; connect: string }): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}' 'strict-dynamic'`,
    `style-src ${options.source} 'nonce-${options.nonce}'`,
    `font-src ${options.source}`,
    `img-src ${options.source} data:`,
    `connect-src ${options.connect}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
