import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from '../protocol';

interface Entry {
  identity: Identity;
  expiresAt: number;
}

/**
 * Random secrets standing for an identity for a while: sign-in codes, browser sessions, bridge
 * tokens. Only their SHA-256 is kept (a look-up by hash needs no constant-time compare: the
 * caller cannot steer which hash it lands on). In memory only: a daemon restart signs browsers out.
 */
export class SecretTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    /** Past this many live secrets the oldest go first: minting cannot grow the daemon without bound. */
    private readonly max = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  mint(identity: Identity): { secret: string; expiresAt: number } {
    this.sweep();
    while (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(hash(secret), { identity, expiresAt });
    return { secret, expiresAt };
  }

  /** The identity of a live secret, which stays valid (a browser session). */
  peek(secret: string): Identity | undefined {
    const entry = this.entries.get(hash(secret));
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    return entry.identity;
  }

  /** The identity of a live secret, which is spent by this use (a sign-in code, a bridge token). */
  take(secret: string): Identity | undefined {
    const key = hash(secret);
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    return entry.identity;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
