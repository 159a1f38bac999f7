import { describeError } from '../errors';
import type { Logger } from '../log';
import type { SessionInfo } from '../protocol';

/** busy ⇄ ready announcements are coalesced over this long. */
export const COALESCE_MS = 200;

/** Runs `task` once after `ms` unless cancelled (the shape of the scheduler port's `after`). */
export type After = (ms: number, task: () => void) => { cancel(): void };

/** Node's timer, unref'd: a pending announcement never keeps the daemon or a test alive. */
const realAfter: After = (ms, task) => {
  const timer = setTimeout(task, ms).unref();
  return { cancel: () => clearTimeout(timer) };
};

export interface AnnouncerOptions {
  /** Tells the owner's clients (`session/changed`). */
  announce(owner: string, session: SessionInfo): void;
  /** The session as it is when a coalesced announcement goes out; undefined once it is gone. */
  current(owner: string, sessionId: string): SessionInfo | undefined;
  logger: Logger;
  after?: After;
  delayMs?: number;
}

/**
 * `session/changed` to the session's owner: at once for a move a person made or waits for, and
 * trailing-edge coalesced for the busy ⇄ ready flips of every command, so a session in a command
 * loop is announced once per COALESCE_MS, with its state at that time, not once per command.
 */
export class Announcer {
  private readonly pending = new Map<string, { cancel(): void }>();
  private readonly after: After;
  private readonly delayMs: number;

  constructor(private readonly options: AnnouncerOptions) {
    this.after = options.after ?? realAfter;
    this.delayMs = options.delayMs ?? COALESCE_MS;
  }

  now(owner: string, session: SessionInfo): void {
    this.options.announce(owner, session);
  }

  soon(owner: string, sessionId: string): void {
    if (this.pending.has(sessionId)) return;
    const timer = this.after(this.delayMs, () => {
      this.pending.delete(sessionId);
      try {
        // Removed meanwhile: its removal was announced at once.
        const session = this.options.current(owner, sessionId);
        if (session) this.options.announce(owner, session);
      } catch (error) {
        this.options.logger.warn('could not announce a session', { session: sessionId, error: describeError(error) });
      }
    });
    this.pending.set(sessionId, timer);
  }

  /** Drops the announcements still to come (the daemon is closing: its store and clients go). */
  close(): void {
    for (const timer of this.pending.values()) timer.cancel();
    this.pending.clear();
  }
}
