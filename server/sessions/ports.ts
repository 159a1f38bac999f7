import * as net from 'node:net';
import type { JailPort } from '../jail/port';
import type { PortForward } from '../protocol/ports';

/**
 * Inside the jail, one connection to its own loopback, relayed over the exec's stdio: bash's
 * /dev/tcp where there is bash, else busybox/netcat `nc`. The jail keeps `--network none`.
 */
const RELAY = 'if command -v bash >/dev/null 2>&1; then exec bash -c \'exec 3<>/dev/tcp/127.0.0.1/"$0" || exit 1; cat <&3 & cat >&3; wait\' "$1"; fi; exec nc 127.0.0.1 "$1"';

interface Forward {
  info: PortForward;
  server: net.Server;
  sockets: Set<net.Socket>;
}

/**
 * Preview ports: for each forwarded port a listener on the host's 127.0.0.1 owned by the daemon;
 * every connection becomes one exec in the session's container that connects to the port there.
 * Closed with the session (stop, remove, failure) and with the daemon.
 */
export class PortForwards {
  private readonly bySession = new Map<string, Map<number, Forward>>();

  constructor(private readonly jail: JailPort) {}

  async open(sessionId: string, containerId: string, port: number): Promise<PortForward> {
    const ports = this.bySession.get(sessionId) ?? new Map<number, Forward>();
    const existing = ports.get(port);
    if (existing) return existing.info;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      void this.relay(containerId, port, socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, resolve);
    });
    const hostPort = (server.address() as net.AddressInfo).port;
    const forward: Forward = { info: { session: sessionId, port, host: '127.0.0.1', hostPort }, server, sockets };
    ports.set(port, forward);
    this.bySession.set(sessionId, ports);
    return forward.info;
  }

  list(sessionId: string): PortForward[] {
    return [...(this.bySession.get(sessionId)?.values() ?? [])].map((f) => f.info);
  }

  /** Closes the listeners and connections of a session that is no longer running. */
  closeSession(sessionId: string): void {
    for (const forward of this.bySession.get(sessionId)?.values() ?? []) {
      forward.server.close();
      for (const socket of forward.sockets) socket.destroy();
    }
    this.bySession.delete(sessionId);
  }

  closeAll(): void {
    for (const id of [...this.bySession.keys()]) this.closeSession(id);
  }

  private async relay(containerId: string, port: number, socket: net.Socket): Promise<void> {
    try {
      const proc = await this.jail.spawn(containerId, ['sh', '-c', RELAY, 'relay', String(port)], { tty: false });
      socket.pipe(proc.stdin);
      proc.stdout.pipe(socket);
      socket.once('close', () => proc.kill());
      socket.once('error', () => proc.kill());
      void proc.done.then(() => socket.end());
    } catch {
      socket.destroy();
    }
  }
}
