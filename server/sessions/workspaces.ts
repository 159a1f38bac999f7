import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertStillNamed, HeldDirectory, type CheckedFolder } from '../auth/heldDirectory';
import { CorralError } from '../errors';
import type { JailSpec } from '../jail/port';
import type { HostRepo } from '../ports/git';
import { ErrorCode } from '../protocol';
import type { ApplyMode } from '../workspace/apply';
import { JAIL_OBJECTS, type CheckoutPaths, type RepoInfo } from '../workspace/checkout';
import { copyPlainFolder, describeSkipped } from '../workspace/copyFolder';
import { linkDependencies } from '../workspace/dependencies';
import type { WorkspaceDiff } from '../workspace/diff';
import type { GitOrigin } from './record';

export interface WorkspacesOptions {
  /** Where workspaces are made (`$CORRAL_HOME/worktrees/<id>`, mounted at /workspace). */
  worktrees: string;
  /** Corral's own repositories per git session (`$CORRAL_HOME/trusted/<id>.git`, never mounted). */
  trusted: string;
  /** Owner given to every file of a new workspace (the jail's user); none when the daemon cannot chown. */
  chownTo?: { uid: number; gid: number };
}

/**
 * A folder a session was asked over, authorized and held open until its workspace is made: git
 * reads it through the descriptor, not by its path again. `close` when the workspace is made.
 */
export interface Origin {
  folder: string;
  held: HeldDirectory;
  /** Its git repository, when it is in one (found above the folder, or with objects elsewhere). */
  repo: RepoInfo | undefined;
  /** Every folder the session reads or mounts, each checked: re-verified after the checkout. */
  checked: CheckedFolder[];
  close(): void;
}

/** What `make` did, for the jail it is mounted in and for the caller. */
export interface MadeWorkspace {
  mounts: NonNullable<JailSpec['readOnlyMounts']>;
  env: string[];
  /** What could not be done as asked (files of a plain folder that cannot be copied). */
  warnings: string[];
}

/**
 * The host side of a session's workspace, everything done with git and files outside the jail:
 * a private checkout of a repository (or a copy of a plain folder, or an empty folder), the
 * environment's dependency links, what the jail mounts, and later diff, apply and removal. Git
 * goes through the host repository port (server/ports/git.ts; real git in the daemon).
 */
export class Workspaces {
  constructor(
    private readonly options: WorkspacesOptions,
    private readonly repos: HostRepo,
  ) {}

  pathsOf(sessionId: string): CheckoutPaths {
    return { workspace: path.join(this.options.worktrees, sessionId), trusted: path.join(this.options.trusted, `${sessionId}.git`) };
  }

  /**
   * Holds `checked` open and finds its repository. Git may find the repository above the folder,
   * or its objects elsewhere (a `.git` file): the session reads and mounts those, so `check`
   * authorizes them too.
   */
  async open(checked: CheckedFolder, check: (folder: string) => CheckedFolder): Promise<Origin> {
    const held = HeldDirectory.open(checked);
    try {
      const repo = await this.repos.inspect(held.path);
      const all = [checked, ...(repo ? [check(repo.root), check(repo.objectsDir)] : [])];
      return { folder: checked.real, held, repo, checked: all, close: () => held.close() };
    } catch (error) {
      held.close();
      throw error;
    }
  }

  /** The git side of a session started over `origin`, as its record keeps it. */
  gitOrigin(sessionId: string, origin: Origin | undefined): GitOrigin | null {
    const repo = origin?.repo;
    if (!repo) return null;
    return { root: repo.root, baseCommit: repo.head, branch: `corral/${sessionId}`, objectsDir: repo.objectsDir, trustedDir: this.pathsOf(sessionId).trusted };
  }

  /**
   * Makes the session's workspace: a private checkout, a copy of the plain folder, or an empty
   * folder; the environment's dependency folders linked in; owned by the jail's user.
   */
  async make(sessionId: string, origin: Origin | undefined, options: { withChanges: boolean; dependencyFolders: string[] }): Promise<MadeWorkspace> {
    const paths = this.pathsOf(sessionId);
    const warnings: string[] = [];
    fs.mkdirSync(this.options.worktrees, { recursive: true, mode: 0o711 });
    fs.mkdirSync(this.options.trusted, { recursive: true, mode: 0o700 });
    if (origin?.repo) await this.repos.checkout(origin.repo, paths, sessionId, options.withChanges);
    else if (origin) warnings.push(...describeSkipped(copyPlainFolder(origin.held.path, paths.workspace)));
    else fs.mkdirSync(paths.workspace);
    // Checkout and mounts go by path: refused if a checked folder was swapped meanwhile.
    if (origin) assertStillNamed(origin.checked);
    if (options.dependencyFolders.length > 0) linkDependencies(paths, options.dependencyFolders);
    if (this.options.chownTo) chownTree(paths.workspace, this.options.chownTo.uid, this.options.chownTo.gid);
    const repo = origin?.repo;
    return {
      mounts: repo ? [{ host: repo.objectsDir, container: JAIL_OBJECTS }] : [],
      env: repo ? [`GIT_ALTERNATE_OBJECT_DIRECTORIES=${JAIL_OBJECTS}`] : [],
      warnings,
    };
  }

  /** The repository top and HEAD commit of `folder`, or undefined outside a repository (the warm pool's key). */
  head(folder: string): Promise<{ root: string; commit: string } | undefined> {
    return this.repos.head(folder);
  }

  /** Deletes a session's workspace and trusted repository (its branch lives there). */
  discard(paths: { workspace: string; trusted: string | null }): void {
    fs.rmSync(paths.workspace, { recursive: true, force: true });
    if (paths.trusted !== null) fs.rmSync(paths.trusted, { recursive: true, force: true });
  }

  /** What the session changed since it started, read by Corral's trusted repository (never the session's `.git`). */
  diff(workspace: string, origin: GitOrigin): Promise<WorkspaceDiff> {
    return this.repos.diff({ workspace, trusted: origin.trustedDir }, origin.baseCommit);
  }

  /**
   * Applies `patch` to the user's repository through the folder held open since `checked`, and
   * only where the session started: a repository moved or swapped since is refused.
   */
  async apply(origin: GitOrigin, checked: CheckedFolder, patch: string, mode: ApplyMode, message: string): Promise<{ files: number; commit?: string }> {
    if (checked.real !== origin.root) {
      throw new CorralError(
        ErrorCode.Forbidden,
        `${origin.root} now leads to ${checked.real}; refused to apply there`,
        'put the repository back where the session was started, or apply the patch by hand (`corral diff`)',
      );
    }
    const held = HeldDirectory.open(checked);
    try {
      return await this.repos.apply(held.path, patch, mode, message);
    } finally {
      held.close();
    }
  }
}

function chownTree(root: string, uid: number, gid: number): void {
  fs.lchownSync(root, uid, gid);
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else fs.lchownSync(child, uid, gid);
  }
}
