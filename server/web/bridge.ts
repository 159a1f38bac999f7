import * as net from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '../log';

/** Past this much unsent data to a browser, it is not keeping up: its connection is closed (the daemon bounds its side too). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Carries one browser's JSON-RPC between its WebSocket (one message per frame) and a connection
 * of its own on the daemon's socket (Content-Length framing), so the browser goes through the very
 * edge every client does: frame guard, hello gate, in-flight bound, authorization, notifications.
 * The browser's `corral/hello` gets `bridgeToken` as its token: a one-use secret standing for the
 * identity its cookie signed in as (the browser never holds a daemon token).
 */
export function bridge(ws: WebSocket, socketPath: string, bridgeToken: string, logger: Logger): void {
  const socket = net.connect(socketPath);
  let pending: Buffer = Buffer.alloc(0);
  const end = (reason: string): void => {
    if (!socket.destroyed) socket.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1011, reason.slice(0, 120));
  };
  socket.on('error', (error) => {
    logger.warn('web bridge: daemon socket error', { error: error.message });
    end('daemon unreachable');
  });
  socket.on('close', () => end('daemon closed the connection'));
  ws.on('close', () => socket.destroy());
  ws.on('error', () => socket.destroy());

  ws.on('message', (data, isBinary) => {
    if (isBinary) return end('binary frames are not JSON-RPC');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return end('a frame that is not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return end('a frame that is not a JSON-RPC message');
    const record = message as Record<string, unknown>;
    if (record.method === 'corral/hello' && typeof record.params === 'object' && record.params !== null) {
      record.params = { ...(record.params as Record<string, unknown>), token: bridgeToken };
    }
    const body = Buffer.from(JSON.stringify(record), 'utf8');
    socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  });

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const headerEnd = pending.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const match = /content-length:\s*(\d+)/i.exec(pending.subarray(0, headerEnd).toString('ascii'));
      if (!match) return end('a frame from the daemon without Content-Length');
      const start = headerEnd + HEADER_END.length;
      const length = Number(match[1]);
      if (pending.length < start + length) return;
      const body = pending.subarray(start, start + length).toString('utf8');
      pending = pending.subarray(start + length);
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return end('the browser is not reading fast enough');
      ws.send(body);
    }
  });
}
