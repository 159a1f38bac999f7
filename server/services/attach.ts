import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { killMarked } from '../jail/kill';
import type { JailPort, JailProcess } from '../jail/port';

interface Attachment {
  owner: string;
  connectionId: string;
  containerId: string;
  /** `CORRAL_ATTACH=<n>`: in the environment of the TTY shell and all it starts. */
  marker: string;
  process: JailProcess;
}

export interface AttachSink {
  output(attachId: string, data: string, seq: number): void;
  closed(attachId: string, exitCode: number): void;
}

/**
 * Interactive TTY shells in session jails. Each belongs to the connection that opened it and
 * ends when that connection goes away. TTY is for people only: command execution never uses it.
 */
export class AttachService {
  private readonly attachments = new Map<string, Attachment>();
  private nextMarker = 1;

  constructor(private readonly jail: JailPort) {}

  async open(owner: string, connectionId: string, containerId: string, size: { rows: number; cols: number }, sink: AttachSink): Promise<string> {
    const marker = `CORRAL_ATTACH=${this.nextMarker++}`;
    const process = await this.jail.spawn(containerId, ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi'], {
      tty: true,
      env: [marker],
    });
    const attachId = randomBytes(6).toString('hex');
    this.attachments.set(attachId, { owner, connectionId, containerId, marker, process });
    const decoder = new StringDecoder('utf8');
    let seq = 0;
    process.stdout.on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (text.length > 0) sink.output(attachId, text, seq++);
    });
    void process.done.then((exitCode) => {
      this.attachments.delete(attachId);
      sink.closed(attachId, exitCode);
    });
    await process.resize(size.rows, size.cols).catch(() => undefined);
    return attachId;
  }

  input(owner: string, attachId: string, data: string): void {
    this.find(owner, attachId).process.stdin.write(data);
  }

  async resize(owner: string, attachId: string, rows: number, cols: number): Promise<void> {
    await this.find(owner, attachId).process.resize(rows, cols);
  }

  /** Ends the TTY shell and everything started from it; the session stays. */
  async close(owner: string, attachId: string): Promise<void> {
    await this.end(attachId, this.find(owner, attachId));
  }

  /** Ends every attachment of a connection that closed. */
  closeConnection(connectionId: string): void {
    for (const [id, attachment] of this.attachments) {
      if (attachment.connectionId === connectionId) void this.end(id, attachment).catch(() => undefined);
    }
  }

  private async end(attachId: string, attachment: Attachment): Promise<void> {
    this.attachments.delete(attachId);
    await killMarked(this.jail, attachment.containerId, attachment.marker).catch(() => undefined);
    attachment.process.kill();
  }

  private find(owner: string, attachId: string): Attachment {
    const attachment = this.attachments.get(attachId);
    if (!attachment || attachment.owner !== owner) {
      throw new CorralError(ErrorCode.NotFound, `no attachment ${attachId}`, 'it was closed; attach again with `corral attach`');
    }
    return attachment;
  }
}
