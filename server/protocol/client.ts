import * as net from 'node:net';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { PROTOCOL_VERSION } from './base';
import { Hello, type ClientKind, type HelloResult } from './hello';

export interface ConnectOptions {
  socketPath: string;
  token: string;
  client: { kind: ClientKind; name?: string; version?: string };
  /** How long to wait for the socket to accept. */
  timeoutMs?: number;
}

/** An authenticated connection to the daemon. */
export interface DaemonConnection {
  readonly rpc: MessageConnection;
  readonly hello: HelloResult;
  /** Resolves when the daemon closes the connection (or it is disposed). */
  readonly closed: Promise<void>;
  dispose(): void;
}

/** Thrown when nothing accepts on the socket; `cause` is the socket error (ENOENT, ECONNREFUSED). */
export class DaemonUnreachableError extends Error {
  constructor(
    readonly socketPath: string,
    readonly reason: string,
  ) {
    super(`the corral daemon is not answering on ${socketPath} (${reason})`);
    this.name = 'DaemonUnreachableError';
  }
}

/** Opens the socket, starts JSON-RPC and calls `corral/hello`. Rejects with the daemon's error if refused. */
export async function connectDaemon(options: ConnectOptions): Promise<DaemonConnection> {
  const socket = await openSocket(options.socketPath, options.timeoutMs ?? 5000);
  const reader = new SocketMessageReader(socket);
  // vscode-jsonrpc re-arms its partial-message timer forever, even after dispose, when the peer
  // dies mid-message; that timer would keep the process alive. We do not use the event.
  reader.partialMessageTimeout = 0;
  const rpc = createMessageConnection(reader, new SocketMessageWriter(socket));
  // Disposing on close rejects every pending request: an answer that cannot come must not hang.
  const closed = new Promise<void>((resolve) => {
    rpc.onClose(() => resolve());
    socket.once('close', () => resolve());
  }).then(() => rpc.dispose());
  rpc.listen();
  const dispose = (): void => {
    rpc.dispose();
    socket.destroy();
  };
  try {
    const hello = await rpc.sendRequest(Hello, {
      protocolVersion: PROTOCOL_VERSION,
      token: options.token,
      client: options.client,
    });
    return { rpc, hello, closed, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

function openSocket(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DaemonUnreachableError(socketPath, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new DaemonUnreachableError(socketPath, error.code ?? error.message));
    });
  });
}
