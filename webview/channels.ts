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
export function vscodeChannel(): (Channel & { saveRoute(route: string): void }) | undefined {
  if (typeof acquireVsCodeApi !== 'function') return undefined;
  const api = acquireVsCodeApi();
  return {
    // Only UI state lives in the webview: the route, for the panel serializer after a reload.
    saveRoute: (route) => api.setState({ route }),
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
