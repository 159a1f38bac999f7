import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import type { JailPort, JailProcess } from '../jail/port';

interface Attachment {
  owner: string;
  connectionId: string;
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

  constructor(private readonly jail: JailPort) {}

  async open(owner: string, connectionId: string, containerId: string, size: { rows: number; cols: number }, sink: AttachSink): Promise<string> {
    const process = await this.jail.spawn(containerId, ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi'], {
      tty: true,
    });
    const attachId = randomBytes(6).toString('hex');
    this.attachments.set(attachId, { owner, connectionId, process });
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

  close(owner: string, attachId: string): void {
    const attachment = this.find(owner, attachId);
    this.attachments.delete(attachId);
    attachment.process.stdin.end('exit\n');
    attachment.process.kill();
  }

  /** Ends every attachment of a connection that closed. */
  closeConnection(connectionId: string): void {
    for (const [id, attachment] of this.attachments) {
      if (attachment.connectionId !== connectionId) continue;
      this.attachments.delete(id);
      attachment.process.kill();
    }
  }

  private find(owner: string, attachId: string): Attachment {
    const attachment = this.attachments.get(attachId);
    if (!attachment || attachment.owner !== owner) {
      throw new CorralError(ErrorCode.NotFound, `no attachment ${attachId}`, 'it was closed; attach again with `corral attach`');
    }
    return attachment;
  }
}
