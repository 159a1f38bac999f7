import type * as vscode from 'vscode';
import type { CorralNotification } from '../server/protocol';
import type { DaemonConnection } from '../server/protocol/client';

type Listener = (params: unknown) => void;

/**
 * Many listeners per notification method. vscode-jsonrpc keeps one handler per method (a second
 * `onNotification` replaces the first), and the views, terminals and status all want
 * `session/changed`. Listeners outlive connections: each new connection is hooked up again.
 */
export class Notifications {
  private readonly listeners = new Map<string, Set<Listener>>();
  private current: { connection: DaemonConnection; bag: vscode.Disposable[] } | undefined;

  on<P>(type: CorralNotification<P>, listener: (params: P) => void): vscode.Disposable {
    let set = this.listeners.get(type.method);
    if (!set) {
      set = new Set();
      this.listeners.set(type.method, set);
      this.hook(type.method, set);
    }
    // The daemon sends P for this method: the declaration types both ends.
    const untyped = listener as Listener;
    set.add(untyped);
    return { dispose: () => set.delete(untyped) };
  }

  /** Called by the context for every new connection, before the views list anything. */
  attach(connection: DaemonConnection, bag: vscode.Disposable[]): void {
    this.current = { connection, bag };
    for (const [method, set] of this.listeners) this.hook(method, set);
  }

  private hook(method: string, set: Set<Listener>): void {
    if (!this.current) return;
    this.current.bag.push(
      this.current.connection.rpc.onNotification(method, (params: unknown) => {
        for (const listener of [...set]) listener(params);
      }),
    );
  }
}
