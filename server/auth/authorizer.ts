import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode, type Identity } from '../protocol';
import { checkFolderIdentity, type CheckedFolder } from './heldDirectory';
import { authorize, isDaemonOwner, type PolicyFacts } from './policy';
import { resolveReal } from './realPath';

/** A board that passed the policy: where it really is, and the folder to open it through. */
export interface CheckedBoard {
  /** As the caller named it (answers and announcements use this). */
  given: string;
  real: string;
  /** The real folder it is in; open it with `checkFolderIdentity` + `HeldDirectory.open`. */
  dir: string;
  name: string;
}

/**
 * The policy bound to the daemon's facts, for the edge and the services. Every path goes through
 * `resolveReal` first, so the decision is made on where the path really leads.
 */
export class Authorizer {
  private readonly facts: PolicyFacts;

  constructor(facts: PolicyFacts) {
    // Decisions compare real paths: Corral's home too (it may be reached through a link, e.g. /tmp).
    this.facts = { ...facts, corralHome: resolveReal(facts.corralHome).real };
  }

  get daemonOwner(): string {
    return this.facts.daemonOwner;
  }

  /** The edge: may this caller call this method at all? */
  call(identity: Identity, method: string): void {
    authorize(identity, 'call', { kind: 'method', method }, this.facts);
  }

  /**
   * Services that know only the user a record belongs to: the daemon's owner is the only user
   * with that name (an issued token for it is refused at hello).
   */
  identityOf(user: string): Identity {
    return { user, role: user === this.facts.daemonOwner ? 'owner' : 'user' };
  }

  isDaemonOwner(identity: Identity): boolean {
    return isDaemonOwner(identity, this.facts);
  }

  /** A folder to start a session over: must exist, is checked on its real path. */
  folder(identity: Identity, given: string): CheckedFolder {
    const { real, exists } = resolveReal(path.resolve(given));
    // Decided before saying whether it exists: a refused user learns nothing about the path.
    authorize(identity, 'folder.use', { kind: 'path', real, given }, this.facts);
    if (!exists) throw new CorralError(ErrorCode.NotFound, `${given} does not exist`, 'pass --repo a folder on this machine');
    return checkFolderIdentity(real);
  }

  /** A board to read or write, decided on its real path (which need not exist yet: `tasks/init`). */
  board(identity: Identity, action: 'board.read' | 'board.write', given: string): CheckedBoard {
    const { real } = resolveReal(given);
    authorize(identity, action, { kind: 'path', real, given }, this.facts);
    return { given, real, dir: path.dirname(real), name: path.basename(real) };
  }

  /** True when `user` may still read the board at `real` (for announcements after a revoke). */
  mayRead(user: string, real: string): boolean {
    try {
      authorize(this.identityOf(user), 'board.read', { kind: 'path', real }, this.facts);
      return true;
    } catch {
      return false;
    }
  }
}
