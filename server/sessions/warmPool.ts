import { describeError } from '../errors';
import type { Logger } from '../log';
import type { SessionRecord } from './record';
import type { SessionRepository } from './repository';

/** Owner of the warm pool's sessions until a user claims one. */
export const POOL_OWNER = '@pool';

export interface WarmPoolOptions {
  /** Ready sessions kept per repository top + image; 0 turns the pool off. */
  size: number;
  repository: SessionRepository;
  logger: Logger;
  /** The repository top and HEAD commit of a folder, or undefined when it is not in a repository. */
  head(folder: string): Promise<{ root: string; commit: string } | undefined>;
  /** Starts a ready session owned by POOL_OWNER over the repository at `root` with `image`. */
  start(root: string, image: string): Promise<unknown>;
  /** Removes a pooled session with its record (it was never a user's). */
  remove(sessionId: string): Promise<unknown>;
}

/**
 * Ready sessions made ahead of time per repository top + image, so that a start over a repository
 * seen before is one store write. A claimed session becomes the user's as if just started (the
 * pool's sessions are checked out at the HEAD the claim asks for); the pool then refills in the
 * background, one start at a time, and drops sessions of a HEAD that moved on.
 */
export class WarmPool {
  /** Pool keys (repository top + image) seen so far, and the refills under way. */
  private readonly keys = new Map<string, { root: string; image: string }>();
  private readonly refilling = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  get enabled(): boolean {
    return this.options.size > 0;
  }

  /** A user started a session over `root` with `image`: keep sessions ready for the next start there. */
  remember(root: string, image: string): void {
    if (!this.enabled) return;
    this.keys.set(`${root}\0${image}`, { root, image });
    this.refill();
  }

  /**
   * The oldest ready pooled session of this repository top, HEAD and image, handed to `to.owner`
   * in one write (the pool refills behind it); undefined when there is none.
   */
  async claim(head: { root: string; commit: string }, image: string, to: { owner: string; name: string | null; repo: string }, at: string): Promise<SessionRecord | undefined> {
    const claimed = await this.options.repository.claim({ owner: POOL_OWNER, root: head.root, commit: head.commit, image }, to, at);
    if (claimed) this.refill();
    return claimed;
  }

  /** Tops every known key up to `size` ready sessions, in the background; a failure is logged. */
  refill(): void {
    for (const [key, { root, image }] of this.keys) {
      if (this.refilling.has(key) || this.closed) continue;
      const run = this.refillKey(root, image)
        .catch((error: unknown) => this.options.logger.warn('warm pool refill failed', { key, error: describeError(error) }))
        .finally(() => this.refilling.delete(key));
      this.refilling.set(key, run);
    }
  }

  /** Resolves when no refill is under way (tests, drain). */
  async settled(): Promise<void> {
    while (this.refilling.size > 0) await Promise.allSettled([...this.refilling.values()]);
  }

  /** Removes every pooled session (on shutdown, and at start-up: the pool's size or images may have changed). */
  async drain(): Promise<void> {
    this.closed = true;
    try {
      await this.settled();
      for (const session of this.options.repository.list(POOL_OWNER)) {
        await this.options
          .remove(session.id)
          .catch((error: unknown) => this.options.logger.warn('could not remove a pooled session', { session: session.id, error: describeError(error) }));
      }
    } finally {
      this.closed = false;
    }
  }

  private async refillKey(root: string, image: string): Promise<void> {
    const head = await this.options.head(root);
    if (!head) return;
    const pooled = this.options.repository.list(POOL_OWNER).filter((s) => s.git?.root === head.root && s.image === image);
    for (const stale of pooled.filter((s) => s.git?.baseCommit !== head.commit || s.state !== 'ready')) await this.options.remove(stale.id);
    let ready = pooled.filter((s) => s.git?.baseCommit === head.commit && s.state === 'ready').length;
    while (ready < this.options.size && !this.closed) {
      await this.options.start(root, image);
      ready++;
    }
  }
}
