import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode, type Grant } from '../protocol';
import type { Clock } from '../ports/clock';
import type { Store } from '../store/store';
import { checkFolderIdentity } from './heldDirectory';
import { resolveReal } from './realPath';

/**
 * Folders the daemon's owner grants to other users, stored as real paths: a grant of a link is a
 * grant of where it led when granted, never of wherever it is pointed later.
 */
export class Grants {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly daemonOwner: string,
  ) {}

  /** Real paths granted to `user`. */
  of(user: string): string[] {
    return this.store.read((r) => r.all<{ dir: string }>('SELECT dir FROM grants WHERE user = ? ORDER BY dir', [user])).map((row) => row.dir);
  }

  list(): Grant[] {
    const rows = this.store.read((r) => r.all<{ user: string; dir: string; granted_at: string }>('SELECT user, dir, granted_at FROM grants ORDER BY user, dir'));
    return rows.map((row) => ({ user: row.user, dir: row.dir, grantedAt: row.granted_at }));
  }

  /** Grants each folder (resolved to its real path; each must exist and be a folder). Answers what `user` now has. */
  async grant(user: string, dirs: readonly string[]): Promise<string[]> {
    if (user === this.daemonOwner) throw new CorralError(ErrorCode.InvalidParams, `${user} is the daemon's owner and may use every folder already`, 'grant folders to other users');
    const reals = dirs.map((dir) => {
      const { real, exists } = resolveReal(dir);
      if (!exists) throw new CorralError(ErrorCode.NotFound, `${dir} does not exist`, 'grant a folder that exists');
      return checkFolderIdentity(real).real;
    });
    const now = this.clock.now().toISOString();
    await this.store.write((w) => {
      for (const real of reals) w.run('INSERT OR IGNORE INTO grants (user, dir, granted_at) VALUES (?, ?, ?)', [user, real, now]);
    });
    return this.of(user);
  }

  /** Revokes the named folders (by the path given or its real path), or every grant of `user` when none is named. */
  async revoke(user: string, dirs: readonly string[] | undefined): Promise<string[]> {
    const held = this.of(user);
    const doomed =
      dirs === undefined || dirs.length === 0
        ? held
        : dirs.map((dir) => {
            const normal = path.resolve(dir);
            const found = held.find((h) => h === normal) ?? held.find((h) => h === realOrUndefined(dir));
            if (found === undefined) throw new CorralError(ErrorCode.NotFound, `${user} has no grant of ${dir}`, `\`corral auth ls\` lists the grants`);
            return found;
          });
    await this.store.write((w) => {
      for (const dir of doomed) w.run('DELETE FROM grants WHERE user = ? AND dir = ?', [user, dir]);
    });
    return doomed;
  }
}

function realOrUndefined(dir: string): string | undefined {
  try {
    return resolveReal(dir).real;
  } catch {
    return undefined;
  }
}
