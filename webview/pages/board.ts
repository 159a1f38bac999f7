import { h } from '../dom';
import { Methods } from '../methods';
import type { PageContext } from '../page';
import { mountKanban } from './kanban';

/** Board: a repository's board as a kanban over the daemon (moves and actions are `tasks/update`). */
export async function boardPage(context: PageContext): Promise<() => void> {
  const file = context.params.get('file') ?? '';
  const form = h('form', { class: 'board-picker', role: 'search', 'aria-label': 'Board file' });
  const input = h('input', { id: 'board-file', name: 'file', type: 'text', value: file, placeholder: '/home/you/project/docs/TASKS.md', spellcheck: 'false', size: '60' });
  form.append(h('label', { for: 'board-file' }, 'Board file'), input, h('button', { type: 'submit', class: 'button' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/board?file=${encodeURIComponent(input.value.trim())}`;
  });
  const region = h('div', { class: 'board-region' });
  context.root.replaceChildren(h('h1', {}, 'Board'), form, region);
  if (file === '') {
    const repos = [...new Set((await context.rpc.request(Methods.sessionList, {})).flatMap((s) => (s.repoRoot ? [s.repoRoot] : [])))];
    region.replaceChildren(
      h('p', {}, 'Give the absolute path of a board (a markdown file such as docs/TASKS.md).'),
      repos.length === 0
        ? ''
        : h(
            'ul',
            { class: 'links' },
            ...repos.map((repo) => h('li', {}, h('a', { href: `#/board?file=${encodeURIComponent(repo + '/docs/TASKS.md')}` }, `${repo}/docs/TASKS.md`))),
          ),
    );
    return () => undefined;
  }
  return mountKanban({ rpc: context.rpc, board: file, user: context.identity.user, root: region, announce: context.announce });
}
