// The VS Code board editor's page (extension/kanban): the kanban alone, over the extension's
// answers about the open document. Its own entry, sharing the kanban's chunks with the app.
import { vscodeChannel } from '../channels';
import { h } from '../dom';
import { Methods, WEB_PROTOCOL_VERSION } from '../methods';
import { mountKanban } from '../pages/kanban';
import { RpcClient, RpcError } from '../rpc';

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  const host = vscodeChannel();
  if (host === undefined) {
    app.replaceChildren(h('p', { role: 'alert' }, 'This page runs inside VS Code (Open With… Corral Board).'));
    return;
  }
  const board = new URLSearchParams((document.documentElement.dataset.route ?? '').split('?')[1] ?? '').get('file') ?? '';
  const rpc = new RpcClient(host);
  const live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status', id: 'announcer' });
  const region = h('div', { class: 'board-region' });
  const main = h('main', { id: 'main', class: 'kanban-editor' }, h('h1', { class: 'visually-hidden' }, `Board ${board.split('/').pop() ?? ''}`), region);
  app.replaceChildren(main, live);
  document.documentElement.classList.add('kanban-editor');
  // Who is looking ("run next" takes tasks unassigned or theirs): the daemon's answer, when connected.
  const user = await rpc.request(Methods.hello, { protocolVersion: WEB_PROTOCOL_VERSION, token: 'webview', client: { kind: 'web', name: 'corral-board-editor' } }).then(
    (hello) => hello.identity.user,
    () => '',
  );
  try {
    await mountKanban({
      rpc,
      board,
      user,
      root: region,
      announce: (text) => (live.textContent = text),
      // Tells the extension what it drew (its tests wait on it; the time is measured).
      onRendered: (version, ms) => {
        const columns: Record<string, string[]> = {};
        for (const list of region.querySelectorAll<HTMLElement>('ul.cards'))
          columns[list.dataset.status ?? ''] = [...list.querySelectorAll<HTMLElement>('article.card')].map((card) => card.dataset.task ?? '');
        host.send({ jsonrpc: '2.0', method: 'kanban/rendered', params: { version, ms, columns } });
      },
    });
    main.dataset.ready = 'kanban';
  } catch (error) {
    region.replaceChildren(h('p', { class: 'error', role: 'alert' }, error instanceof RpcError ? `${error.message}. ${error.hint}` : String(error)));
  }
}

void main();
