import type { SessionInfo } from '../../server/protocol';
import { h, when } from '../dom';
import { Methods, Notices } from '../methods';
import type { PageContext } from '../page';

/** Sessions: the caller's sessions and their states, live from `session/changed`. */
export async function sessionsPage(context: PageContext): Promise<() => void> {
  const sessions = new Map<string, SessionInfo>();
  for (const session of await context.rpc.request(Methods.sessionList, {})) sessions.set(session.id, session);
  const body = h('tbody');
  const summary = h('p', { class: 'summary', id: 'sessions-summary' });
  const draw = (): void => {
    const rows = [...sessions.values()].filter((s) => s.state !== 'removed').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    summary.textContent = rows.length === 0 ? 'No sessions yet: start one with `corral session start --repo .`' : `${rows.length} session${rows.length === 1 ? '' : 's'}`;
    body.replaceChildren(
      ...rows.map((s) =>
        h(
          'tr',
          { 'data-session': s.id },
          h('td', {}, h('code', {}, s.id.slice(0, 10))),
          h('td', {}, s.name ?? ''),
          h('td', {}, h('span', { class: `state state-${s.state}` }, s.state), s.stateReason ? h('span', { class: 'reason' }, ` ${s.stateReason}`) : null),
          h('td', { class: 'path' }, s.repo ?? '(empty workspace)'),
          h('td', {}, s.image),
          h('td', {}, h('time', { datetime: s.createdAt }, when(s.createdAt))),
          h(
            'td',
            {},
            s.state === 'ready' || s.state === 'busy' || s.state === 'paused'
              ? h('a', { href: `#/terminal?session=${encodeURIComponent(s.id)}`, 'aria-label': `Open a terminal in session ${s.id.slice(0, 10)}` }, 'Terminal')
              : '',
          ),
        ),
      ),
    );
  };
  draw();
  context.root.replaceChildren(
    h('h1', {}, 'Sessions'),
    summary,
    h(
      'table',
      { class: 'grid', 'aria-describedby': 'sessions-summary' },
      h('caption', { class: 'visually-hidden' }, 'Your sessions, newest first'),
      h('thead', {}, h('tr', {}, ...['Id', 'Name', 'State', 'Repository', 'Image', 'Started', 'Shell'].map((t) => h('th', { scope: 'col' }, t)))),
      body,
    ),
  );
  return context.rpc.onNotification(Notices.sessionChanged, (session) => {
    const before = sessions.get(session.id)?.state;
    sessions.set(session.id, session);
    draw();
    if (before !== session.state) context.announce(`Session ${session.id.slice(0, 10)} is ${session.state}`);
  });
}
