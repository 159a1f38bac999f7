import type { Method, Notice } from './methods';

/** Where JSON-RPC messages travel: a WebSocket in the browser, postMessage in a VS Code webview. */
export interface Channel {
  send(message: object): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: (reason: string) => void): void;
}

/** An error answer of the daemon: its code, message and what to do (`hint`). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** A small JSON-RPC 2.0 client over a channel: requests by declaration, notifications by declaration. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<(params: unknown) => void>>();
  private closedReason: string | undefined;

  constructor(private readonly channel: Channel) {
    channel.onMessage((message) => this.receive(message));
    channel.onClose((reason) => {
      this.closedReason = reason;
      for (const pending of this.pending.values()) pending.reject(new RpcError(-1, `the connection closed: ${reason}`, 'reload the page'));
      this.pending.clear();
    });
  }

  request<P, R>(type: Method<P, R>, params: P): Promise<R> {
    if (this.closedReason !== undefined) return Promise.reject(new RpcError(-1, `the connection closed: ${this.closedReason}`, 'reload the page'));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: (result) => resolve(result as R), reject });
      this.channel.send({ jsonrpc: '2.0', id, method: type.method, params });
    });
  }

  /** Returns a function that stops listening. */
  onNotification<P>(type: Notice<P>, handler: (params: P) => void): () => void {
    const set = this.handlers.get(type.method) ?? new Set();
    const wrapped = (params: unknown): void => handler(params as P);
    set.add(wrapped);
    this.handlers.set(type.method, set);
    return () => set.delete(wrapped);
  }

  private receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: { hint?: unknown } } };
    if (typeof m.method === 'string') {
      for (const handler of this.handlers.get(m.method) ?? []) handler(m.params);
      return;
    }
    if (typeof m.id !== 'number') return;
    const pending = this.pending.get(m.id);
    if (pending === undefined) return;
    this.pending.delete(m.id);
    if (m.error !== undefined) {
      const hint = typeof m.error.data?.hint === 'string' ? m.error.data.hint : '';
      pending.reject(new RpcError(typeof m.error.code === 'number' ? m.error.code : -1, String(m.error.message ?? 'failed'), hint));
    } else {
      pending.resolve(m.result);
    }
  }
}
