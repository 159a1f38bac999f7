import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HelloResult } from '../server/protocol';
import { vscodeChannel, webSocketChannel } from './channels';
import { h } from './dom';
import { Methods, WEB_PROTOCOL_VERSION } from './methods';
import type { Page } from './page';
import { RpcClient, RpcError } from './rpc';
import { applyTheme, nextTheme, themeLabel } from './theme';

/** Pages, each its own chunk: a page loads only its own code. */
const PAGES: Record<string, { title: string; load: () => Promise<Page>; nav?: false }> = {
  sessions: { title: 'Sessions', load: async () => (await import('./pages/sessions')).sessionsPage },
  board: { title: 'Board', load: async () => (await import('./pages/board')).boardPage },
  usage: { title: 'Usage', load: async () => (await import('./pages/usage')).usagePage },
  // Opened from a session's row (it needs a session), so not in the navigation.
  terminal: { title: 'Terminal', load: async () => (await import('./pages/terminal')).terminalPage, nav: false },
};

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  const browser = document.documentElement.dataset.host === 'browser';
  if (browser) applyTheme();
  let rpc: RpcClient;
  const vscodeHost = vscodeChannel();
  const startRoute = vscodeHost?.savedRoute() ?? document.documentElement.dataset.route;
  if (location.hash === '' && startRoute) history.replaceState(null, '', startRoute);
  // A VS Code webview cancels every link click (its own handler only scrolls to a fragment's
  // element), so in-app links would go nowhere there: follow the app's `#/` routes here.
  if (vscodeHost)
    document.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href^="#/"]') : null;
      if (link === null) return;
      event.preventDefault();
      location.hash = link.getAttribute('href') ?? '#/sessions';
    });
  try {
    if (browser) await signIn();
    const channel = vscodeHost ?? (await webSocketChannel(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`));
    rpc = new RpcClient(channel);
  } catch {
    app.replaceChildren(
      h(
        'main',
        { class: 'signed-out' },
        h('h1', {}, 'Corral'),
        h('p', { role: 'alert' }, 'Not signed in. Run ', h('code', {}, 'corral web'), ' and open the link it prints (each link works once).'),
      ),
    );
    return;
  }
  let hello: HelloResult;
  try {
    hello = await rpc.request(Methods.hello, { protocolVersion: WEB_PROTOCOL_VERSION, token: 'web', client: { kind: 'web', name: 'corral-web' } });
  } catch (error) {
    app.replaceChildren(h('main', {}, h('p', { role: 'alert' }, error instanceof RpcError ? `${error.message}. ${error.hint}` : String(error))));
    return;
  }
  const live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status', id: 'announcer' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const links = Object.entries(PAGES)
    .filter(([, page]) => page.nav !== false)
    .map(([id, page]) => h('a', { href: `#/${id}`, 'data-page': id }, page.title));
  const themeButton = browser ? h('vscode-button', { secondary: true, id: 'theme-toggle' }, themeLabel()) : null;
  themeButton?.addEventListener('click', () => {
    nextTheme();
    themeButton.textContent = themeLabel();
  });
  app.replaceChildren(
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Corral'),
      h('nav', { 'aria-label': 'Pages' }, h('ul', {}, ...links.map((link) => h('li', {}, link)))),
      h('span', { class: 'who' }, `signed in as ${hello.identity.user}`),
      themeButton,
    ),
    main,
    live,
  );
  let leave: () => void = () => undefined;
  let generation = 0;
  const route = async (): Promise<void> => {
    const [name = 'sessions', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
    const id = name in PAGES ? name : 'sessions';
    const page = PAGES[id]!;
    const mine = ++generation;
    leave();
    leave = () => undefined;
    for (const link of links) link.toggleAttribute('aria-current', link.dataset.page === id);
    for (const link of links) if (link.dataset.page === id) link.setAttribute('aria-current', 'page');
    document.title = `${page.title} · Corral`;
    vscodeHost?.saveRoute(location.hash);
    main.replaceChildren(h('p', { class: 'status', role: 'status' }, 'Loading…'));
    let render: Page;
    try {
      render = await page.load();
    } catch {
      // The page's chunk is gone: Corral was rebuilt or updated since this page loaded.
      const reload = h('button', { type: 'button', class: 'button' }, 'Reload');
      reload.addEventListener('click', () => location.reload());
      main.replaceChildren(h('p', { role: 'alert' }, 'Corral was updated since this page was loaded. '), reload);
      return;
    }
    try {
      const stop = await render({ rpc, identity: hello.identity, root: main, params: new URLSearchParams(query), announce: (text) => (live.textContent = text) });
      if (mine === generation) leave = stop;
      else stop();
      main.dataset.ready = id;
    } catch (error) {
      main.replaceChildren(h('p', { class: 'error', role: 'alert' }, error instanceof RpcError ? `${error.message}. ${error.hint}` : String(error)));
    }
  };
  window.addEventListener('hashchange', () => void route());
  await route();
}

/**
 * The sign-in link carries its one-time code after `#login=` (a fragment never reaches a server
 * or a Referer). It is taken out of the address bar first, then exchanged for the cookie.
 */
async function signIn(): Promise<void> {
  const match = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match === null) return;
  history.replaceState(null, '', `${location.pathname}#/sessions`);
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: match[1] }),
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error(await response.text());
}

void main();
