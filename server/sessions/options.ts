import type { CheckedFolder } from '../auth/heldDirectory';
import type { SessionEnvironment } from '../env/service';
import type { JailLimits } from '../jail/policy';
import type { Logger } from '../log';
import type { HostRepo } from '../ports/git';
import type { SessionInfo } from '../protocol';
import type { After } from './announcer';

/** What the composition root (server/compose.ts) gives the session service: settings, policy, ports. */
export interface SessionOptions {
  home: string;
  worktrees: string;
  /** Corral's own repositories per git session (never mounted). */
  trusted: string;
  defaultImage: string;
  maxima: JailLimits;
  maxKeptBytes: number;
  maxSessionsPerUser: number;
  /** Ready sessions kept per repo + image so that a start returns at once; 0 turns the pool off. */
  poolSize: number;
  /** Extra patterns to redact from stored command text. */
  redactions: RegExp[];
  logger: Logger;
  /** Tells the owner's clients that a session changed. */
  announce(owner: string, session: SessionInfo): void;
  /**
   * The authorization policy for a folder `sessionUser` wants a session over (server/auth):
   * resolved to its real path and checked, or refused with `Forbidden`.
   */
  authorizeFolder(sessionUser: string, folder: string): CheckedFolder;
  /** The repository's environment (server/env), built on first use; sessions without --image get it. */
  environment?(root: string, progress?: (message: string) => void): Promise<SessionEnvironment>;
  /** git on the host: users' repositories and the sessions' checkouts (server/ports/git.ts). */
  hostRepo: HostRepo;
  /** Runs a coalesced announcement later: the scheduler port's `after` (default: Node's timer). */
  after?: After;
}
