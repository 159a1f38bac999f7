import { Transform, type TransformCallback } from 'node:stream';

export interface FrameLimits {
  /** Largest message body accepted, in bytes. */
  maxMessageBytes: number;
  /** Largest header block accepted, in bytes. */
  maxHeaderBytes: number;
}

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * Sits between the socket and the JSON-RPC reader and checks the `Content-Length` framing before
 * anything is buffered: a header block that is too long or malformed, or a declared length over
 * the limit, fails the stream with a `FrameError` (the caller closes that connection). Bytes pass
 * through unchanged, so the reader downstream still does the real parsing.
 */
export class FrameGuard extends Transform {
  private header = '';
  private bodyLeft = 0;

  constructor(private readonly limits: FrameLimits) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= take;
        offset += take;
        continue;
      }
      // In a header block, possibly begun in an earlier chunk.
      const carried = this.header.length;
      const limit = Math.min(chunk.length, offset + this.limits.maxHeaderBytes + 4);
      const candidate = this.header + chunk.toString('latin1', offset, limit);
      const end = candidate.indexOf('\r\n\r\n');
      if (end < 0) {
        if (candidate.length > this.limits.maxHeaderBytes) return done(new FrameError('header block too long'));
        this.header = candidate;
        offset = limit;
        continue;
      }
      this.header = '';
      offset += end + 4 - carried;
      const declared = this.checkHeader(candidate.slice(0, end + 4));
      if (typeof declared === 'string') return done(new FrameError(declared));
      this.bodyLeft = declared;
    }
    done(null, chunk);
  }

  /** The declared body length, or why the header block is unacceptable. */
  private checkHeader(block: string): number | string {
    if (block.length > this.limits.maxHeaderBytes) return 'header block too long';
    let length: number | undefined;
    for (const line of block.slice(0, -4).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0 || !/^[A-Za-z0-9-]+$/.test(line.slice(0, colon))) return `malformed header line ${JSON.stringify(line.slice(0, 80))}`;
      if (line.slice(0, colon).trim().toLowerCase() === 'content-length') {
        const value = line.slice(colon + 1).trim();
        if (!/^\d{1,12}$/.test(value)) return `malformed Content-Length ${JSON.stringify(value.slice(0, 40))}`;
        length = Number(value);
      }
    }
    if (length === undefined) return 'missing Content-Length header';
    if (length > this.limits.maxMessageBytes) {
      return `message of ${length} bytes exceeds the limit of ${this.limits.maxMessageBytes} bytes`;
    }
    return length;
  }
}
