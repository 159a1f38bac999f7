import type { AttachOutput, SessionInfo } from '../../server/protocol';
import { h } from '../dom';
import { Methods, Notices } from '../methods';
import type { PageContext } from '../page';

/** States whose container runs (a paused one is resumed by the first keystroke's command). */
const LIVE = new Set<SessionInfo['state']>(['ready', 'busy', 'paused']);
const ROWS = 28;
const COLS = 110;

/**
 * Terminal (`#/terminal?session=ID`): an interactive shell in the session's jail, in xterm.js over
 * `attach/*` — keystrokes as `attach/input`, the TTY's output from `attach/output`. Leaving the page
 * detaches (`attach/close`); the session keeps running. Without a session: the sessions it can open.
 */
export async function terminalPage(context: PageContext): Promise<() => void> {
  const id = context.params.get('session');
  if (!id) return chooseSession(context);
  const { Terminal } = await import('@xterm/xterm');
  // xterm.js measures its cells with the font it is given: a resolved family, not a CSS variable
  // (with one it measured another font than it drew, and rows overlapped); colours from the theme.
  const themed = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim() || fallback;
  const foreground = themed('editor-foreground', themed('foreground', '#cccccc'));
  const term = new Terminal({
    rows: ROWS,
    cols: COLS,
    cursorBlink: true,
    screenReaderMode: true,
    fontFamily: `${themed('editor-font-family', '')}${themed('editor-font-family', '') ? ', ' : ''}monospace`,
    theme: { background: themed('editor-background', '#1e1e1e'), foreground, cursor: foreground },
  });
  const host = h('div', { class: 'terminal-host', 'data-session': id });
  const status = h('p', { class: 'summary', role: 'status' }, 'Connecting…');
  context.root.replaceChildren(
    h('h1', {}, `Terminal · ${id.slice(0, 10)}`),
    h('p', { class: 'summary' }, 'A shell in the session’s jail: no network, your repository’s private checkout. Leaving this page detaches; the session keeps running.'),
    host,
    status,
  );
  withStyleNonce(() => term.open(host));

  // The shell's first output (its prompt) can come before the answer that names the attachment:
  // keep what comes early, play it once the id is known.
  let attachId: string | undefined;
  let closed = false;
  const early: AttachOutput[] = [];
  const stopOutput = context.rpc.onNotification(Notices.attachOutput, (chunk) => {
    if (attachId === undefined) early.push(chunk);
    else if (chunk.attachId === attachId) term.write(chunk.data);
  });
  const stopClosed = context.rpc.onNotification(Notices.attachClosed, (end) => {
    if (end.attachId !== attachId) return;
    closed = true;
    term.write(`\r\n[the shell ended with exit status ${end.exitCode}]\r\n`);
    status.textContent = `The shell ended (exit status ${end.exitCode}). Reload the page for a new one.`;
    context.announce(status.textContent);
  });
  try {
    ({ attachId } = await context.rpc.request(Methods.attachOpen, { session: id, rows: ROWS, cols: COLS }));
  } catch (error) {
    stopOutput();
    stopClosed();
    term.dispose();
    throw error;
  }
  for (const chunk of early.splice(0)) if (chunk.attachId === attachId) term.write(chunk.data);
  status.textContent = `Attached to ${id.slice(0, 10)}.`;
  const opened = attachId;
  const typing = term.onData((data) => {
    if (!closed) void context.rpc.request(Methods.attachInput, { attachId: opened, data }).catch(() => undefined);
  });
  term.focus();
  return () => {
    typing.dispose();
    stopOutput();
    stopClosed();
    if (!closed) void context.rpc.request(Methods.attachClose, { attachId: opened }).catch(() => undefined);
    term.dispose();
  };
}

/** The sessions a terminal can open in, as links. */
async function chooseSession(context: PageContext): Promise<() => void> {
  const sessions = (await context.rpc.request(Methods.sessionList, {})).filter((s) => LIVE.has(s.state));
  context.root.replaceChildren(
    h('h1', {}, 'Terminal'),
    sessions.length === 0
      ? h('p', {}, 'No running session: start one with `corral session start --repo .`')
      : h(
          'ul',
          {},
          ...sessions.map((s) =>
            h('li', {}, h('a', { href: `#/terminal?session=${encodeURIComponent(s.id)}` }, `${s.name ?? s.id.slice(0, 10)} · ${s.repo ?? 'empty workspace'}`)),
          ),
        ),
  );
  return () => undefined;
}

/**
 * xterm.js draws with `<style>` elements it makes itself; the app's CSP admits only styles that
 * carry the page's nonce. While the terminal opens, the style elements it makes get that nonce —
 * the policy stays as strict as it is for every other page.
 */
function withStyleNonce(open: () => void): void {
  const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
  const create = document.createElement.bind(document);
  const patched = ((tag: string, options?: ElementCreationOptions) => {
    const element = create(tag, options);
    if (tag.toLowerCase() === 'style' && nonce) element.nonce = nonce;
    return element;
  }) as typeof document.createElement;
  document.createElement = patched;
  try {
    open();
  } finally {
    document.createElement = create;
  }
}
