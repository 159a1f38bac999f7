import * as net from 'node:net';
import { homePaths } from '../../server/protocol/paths';

/** A socket speaking raw Content-Length frames, for feeding the daemon what a real client never would. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(home: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(homePaths(home).socket, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.sendBytes(Buffer.from(JSON.stringify(message)));
  }

  sendBytes(body: Buffer, length = body.length): void {
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${length}\r\n\r\n`), body]));
  }

  /** The next decoded message, or undefined if the connection closed first. */
  async next(timeoutMs = 5000): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.take();
      if (message) return message;
      if (this.socket.destroyed || this.socket.readableEnded) return undefined;
      if (Date.now() > deadline) throw new Error('no message within timeout');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private take(): Record<string, unknown> | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const match = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString('latin1'));
    const length = Number(match?.[1]);
    if (this.buffer.length < end + 4 + length) return undefined;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    return JSON.parse(body) as Record<string, unknown>;
  }
}
