import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { CorralError } from '../errors';
import type { Clock } from '../ports/clock';
import { ErrorCode, type Identity } from '../protocol';
import type { Store } from '../store/store';

/**
 * Who is calling. The owner's token lives in `$CORRAL_HOME/token` (0600, created at first start);
 * whoever can read it acts as the owner. Checked once per connection, in `corral/hello`.
 */
export class AuthService {
  private constructor(
    private readonly ownerToken: Buffer,
    private readonly owner: string,
    private readonly protocolVersion: number,
    private readonly lookup: (hash: string) => Promise<string | undefined>,
  ) {}

  /**
   * `lookup` finds the user of an issued token by its SHA-256 (tokens other than the owner's
   * live, hashed, in the store).
   */
  static loadOrCreate(tokenPath: string, owner: string, protocolVersion: number, lookup: (hash: string) => Promise<string | undefined> = async () => undefined): AuthService {
    let token: string;
    try {
      token = fs.readFileSync(tokenPath, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      token = randomBytes(32).toString('hex');
      fs.writeFileSync(tokenPath, token + '\n', { mode: 0o600, flag: 'wx' });
    }
    fs.chmodSync(tokenPath, 0o600);
    return new AuthService(Buffer.from(token), owner, protocolVersion, lookup);
  }

  async authenticate(params: { protocolVersion: number; token: string }): Promise<Identity> {
    if (params.protocolVersion !== this.protocolVersion) {
      const newer = params.protocolVersion > this.protocolVersion ? 'daemon' : 'client';
      throw new CorralError(
        ErrorCode.VersionMismatch,
        `protocol version ${params.protocolVersion} is not supported; this daemon speaks version ${this.protocolVersion}`,
        newer === 'daemon'
          ? 'the daemon is older than the client: restart it with `corral daemon stop` (the next command starts the new one)'
          : 'the client is older than the daemon: update the client (CLI or VS Code extension)',
        { clientVersion: params.protocolVersion, serverVersion: this.protocolVersion },
      );
    }
    const given = Buffer.from(params.token);
    if (given.length === this.ownerToken.length && timingSafeEqual(given, this.ownerToken)) return { user: this.owner, role: 'owner' };
    const user = await this.lookup(hashToken(params.token));
    if (user === undefined || user === this.owner) {
      throw new CorralError(ErrorCode.BadToken, 'the token is not valid for this daemon', 'use the token in $CORRAL_HOME/token of the home this daemon serves (check CORRAL_HOME)');
    }
    return { user, role: 'user' };
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Tokens the daemon's owner issues to other users (`corral auth issue USER`): each is shown once
 * and kept only as its SHA-256, so the store never holds a usable token.
 */
export class IssuedTokens {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly daemonOwner: string,
  ) {}

  async issue(user: string): Promise<{ user: string; token: string }> {
    if (user === this.daemonOwner)
      throw new CorralError(ErrorCode.InvalidParams, `${user} is the daemon's owner`, 'the owner uses $CORRAL_HOME/token; issue tokens to other users');
    const token = newToken();
    await this.store.write((w) => w.run('INSERT INTO tokens (hash, user, created_at) VALUES (?, ?, ?)', [hashToken(token), user, this.clock.now().toISOString()]));
    return { user, token };
  }

  /** The user an issued token was given to, by the token's hash; undefined for any other. */
  userOf(hash: string): string | undefined {
    return issuedTokenUser(this.store, hash);
  }
}

/**
 * The one lookup of an issued token: also used before the services exist (the daemon's hello
 * check waits only for the store).
 */
export function issuedTokenUser(store: Store, hash: string): string | undefined {
  return store.read((r) => r.get<{ user: string }>('SELECT user FROM tokens WHERE hash = ?', [hash]))?.user;
}
