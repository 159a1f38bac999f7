import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log';
import { ClientConnection, type ConnectionDeps } from './connection';

/**
 * The daemon's listening socket: one `ClientConnection` per accepted client. The socket file is
 * created with mode 0600 (the umask is narrowed around `listen`).
 */
export class RpcServer {
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();

  constructor(
    private readonly socketPath: string,
    private readonly deps: ConnectionDeps & { logger: Logger },
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<void> {
    if (Buffer.byteLength(this.socketPath) > 107) {
      throw new Error(`socket path ${this.socketPath} is longer than the 107 bytes a Unix socket allows; choose a shorter CORRAL_HOME`);
    }
    fs.rmSync(this.socketPath, { force: true });
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previous);
    }
    fs.chmodSync(this.socketPath, 0o600);
  }

  /** Sends a notification to every authenticated connection that `allow` accepts. */
  broadcast<P>(method: string, params: P, allow: (user: string) => boolean = () => true): void {
    for (const connection of this.connections) {
      if (connection.user !== undefined && allow(connection.user)) connection.notify(method, params);
    }
  }

  /** Stops accepting, lets running requests finish (up to `graceMs`), then closes every client. */
  async close(graceMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((c) => c.drain()));
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    for (const connection of this.connections) connection.close();
    await stopped;
    fs.rmSync(this.socketPath, { force: true });
  }

  /** Serves one client's stream: each socket accepted, or an in-memory pair (test/support/harness.ts). */
  accept(socket: Duplex): void {
    const connection = new ClientConnection(socket, this.deps);
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }
}
