import type { ApplyMode } from '../workspace/apply';
import type { CheckoutPaths, RepoInfo } from '../workspace/checkout';
import type { WorkspaceDiff } from '../workspace/diff';

/**
 * The host repository port: everything Corral does with git outside the jail, on the user's
 * repositories and on a session's private checkout. The daemon's is real git
 * (server/workspace/hostRepo.ts, hardened as server/workspace/git.ts says); service tests may
 * use the in-memory one (test/support/memoryRepo.ts), checked against real git by the same
 * contract (test/unit/hostRepo.test.ts). Paths are absolute host paths.
 */
export interface HostRepo {
  /** The repository that contains `dir` (its top, objects, HEAD, branch), or undefined outside one. */
  inspect(dir: string): Promise<RepoInfo | undefined>;
  /** The repository top and HEAD commit of `dir` in one look, or undefined outside a repository or before its first commit. */
  head(dir: string): Promise<{ root: string; commit: string } | undefined>;
  /** A private checkout of `repo.head` on branch `corral/<sessionId>`, sharing the repository's objects; `withChanges` brings its uncommitted and untracked files along. */
  checkout(repo: RepoInfo, paths: CheckoutPaths, sessionId: string, withChanges: boolean): Promise<void>;
  /** Everything changed in the checkout against `base`, commits and edits alike, read from Corral's trusted repository. */
  diff(paths: CheckoutPaths, base: string): Promise<WorkspaceDiff>;
  /** Brings `patch` onto the repository at `root` as a commit or as work-tree changes; refused, changing nothing, when it cannot apply cleanly. */
  apply(root: string, patch: string, mode: ApplyMode, message: string): Promise<{ files: number; commit?: string }>;
}
