import type { Channel } from './rpc';

/** The browser host: the daemon's WebSocket on the page's own origin (the cookie signs it in). */
export function webSocketChannel(url: string): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const closeListeners: ((reason: string) => void)[] = [];
    let open = false;
    socket.addEventListener('open', () => {
      open = true;
      resolve({
        send: (message) => socket.send(JSON.stringify(message)),
        onMessage: (listener) =>
          socket.addEventListener('message', (event) => {
            if (typeof event.data !== 'string') return;
            try {
              listener(JSON.parse(event.data));
            } catch {
              // Not JSON: the bridge never sends that; ignore rather than break the page.
            }
          }),
        onClose: (listener) => closeListeners.push(listener),
      });
    });
    socket.addEventListener('close', (event) => {
      if (!open) reject(new Error('not signed in, or the daemon is not serving the web app'));
      for (const listener of closeListeners) listener(event.reason || `code ${event.code}`);
    });
  });
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

/**
 * The VS Code host: JSON-RPC messages through postMessage to the extension host, which forwards
 * them on its own daemon connection (the seam: extension/webview/). Undefined outside a webview.
 */
export function vscodeChannel(): (Channel & { saveRoute(route: string): void; savedRoute(): string | undefined }) | undefined {
  if (typeof acquireVsCodeApi !== 'function') return undefined;
  const api = acquireVsCodeApi();
  // The nonce is new each time the extension renders the page, the same when VS Code rebuilds a
  // hidden panel's page from it: it tells "shown again" (keep the route) from "opened on a page".
  const pageId = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
  return {
    // Only UI state lives in the webview: the route, for the panel serializer after a reload.
    // The extension hears it too: a page it renders again (new daemon connection) opens there.
    saveRoute: (route) => {
      api.setState({ route, pageId });
      api.postMessage({ corral: 'route', route });
    },
    // A hidden panel's page is rebuilt when shown again: it comes back on the route it was on.
    savedRoute: () => {
      const state = api.getState() as { route?: unknown; pageId?: unknown } | undefined;
      return state?.pageId === pageId && typeof state.route === 'string' && state.route.startsWith('#/') ? state.route : undefined;
    },
    send: (message) => api.postMessage({ corral: 'rpc', message }),
    onMessage: (listener) =>
      window.addEventListener('message', (event: MessageEvent<{ corral?: unknown; message?: unknown }>) => {
        if (event.data?.corral === 'rpc') listener(event.data.message);
      }),
    onClose: (listener) =>
      window.addEventListener('message', (event: MessageEvent<{ corral?: unknown; reason?: unknown }>) => {
        if (event.data?.corral === 'closed') listener(String(event.data.reason ?? 'closed'));
      }),
  };
}
