import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDirectory } from './files';

type Pending =
  | { kind: 'append'; frame: Buffer; resolve: () => void; reject: (error: Error) => void }
  | { kind: 'rotate'; firstSeq: number; resolve: () => void; reject: (error: Error) => void };

/** `journal-000000000042.log` holds records from seq 42 until the next file's first seq. */
export function journalFileName(firstSeq: number): string {
  return `journal-${String(firstSeq).padStart(12, '0')}.log`;
}

export function parseJournalFileName(name: string): number | undefined {
  const match = /^journal-(\d{12})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Journal files in a folder, oldest first. */
export function listJournalFiles(dir: string): { file: string; firstSeq: number }[] {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  return names
    .map((name) => ({ file: path.join(dir, name), firstSeq: parseJournalFileName(name) }))
    .filter((entry): entry is { file: string; firstSeq: number } => entry.firstSeq !== undefined)
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

/**
 * Append-only journal with group commit: frames queued while an fsync is in flight are written
 * and synced together by the next one, so many writes share one fsync. `append` resolves only
 * once its frame is on disk. A failed write or sync fails every waiting append and the journal
 * stays failed: the in-memory database is then ahead of the disk and must not acknowledge more.
 */
export class Journal {
  private queue: Pending[] = [];
  private flushing = false;
  private failure: Error | undefined;
  private bytes = 0;
  /** Per-flush batch sizes, for benchmarks and `doctor`. */
  flushes = 0;

  private constructor(
    private readonly dir: string,
    private fd: number,
  ) {}

  /** Opens (creating) the file for `firstSeq` for appending. */
  static open(dir: string, firstSeq: number): Journal {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, journalFileName(firstSeq));
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, 'a', 0o600);
    // A new name must be durable before records in it are acknowledged.
    if (!existed) fsyncDirectory(dir);
    const journal = new Journal(dir, fd);
    journal.bytes = fs.fstatSync(fd).size;
    return journal;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Bytes in the current file. */
  get size(): number {
    return this.bytes;
  }

  append(frame: Buffer): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'append', frame, resolve, reject }));
  }

  /** Records appended after this call go to a new file starting at `firstSeq`. */
  rotate(firstSeq: number): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'rotate', firstSeq, resolve, reject }));
  }

  /** Waits for everything queued, then closes the file. */
  async close(): Promise<void> {
    await this.enqueue((resolve, reject) => ({ kind: 'append', frame: Buffer.alloc(0), resolve, reject })).catch(() => undefined);
    fs.closeSync(this.fd);
  }

  private enqueue(make: (resolve: () => void, reject: (error: Error) => void) => Pending): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeAppends();
      try {
        if (batch.length > 0) {
          const data = batch.length === 1 ? batch[0]!.frame : Buffer.concat(batch.map((p) => p.frame));
          if (data.length > 0) {
            await writeAll(this.fd, data);
            await fdatasync(this.fd);
            this.bytes += data.length;
            this.flushes++;
          }
          for (const pending of batch) pending.resolve();
        }
        const next = this.queue[0];
        if (next?.kind === 'rotate') {
          this.queue.shift();
          this.switchFile(next.firstSeq);
          next.resolve();
        }
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        for (const pending of [...batch, ...this.queue]) pending.reject(this.failure);
        this.queue = [];
      }
    }
    this.flushing = false;
  }

  /** Every append queued before the next rotation, in one splice (shift per item is quadratic). */
  private takeAppends(): Extract<Pending, { kind: 'append' }>[] {
    const rotation = this.queue.findIndex((pending) => pending.kind === 'rotate');
    return this.queue.splice(0, rotation < 0 ? this.queue.length : rotation) as Extract<Pending, { kind: 'append' }>[];
  }

  private switchFile(firstSeq: number): void {
    const fd = fs.openSync(path.join(this.dir, journalFileName(firstSeq)), 'a', 0o600);
    fsyncDirectory(this.dir);
    fs.closeSync(this.fd);
    this.fd = fd;
    this.bytes = 0;
  }
}

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      fs.write(fd, data, offset, data.length - offset, null, (error, written) => {
        if (error) return reject(error);
        if (offset + written < data.length) return step(offset + written);
        resolve();
      });
    };
    step(0);
  });
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
