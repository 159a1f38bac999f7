import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { git, gitOk } from './git';

/** Where a session's repository stands on the host. */
export interface RepoInfo {
  root: string;
  /** The object store the session shares read-only (the common dir's, for linked worktrees). */
  objectsDir: string;
  head: string;
  /** The user's current branch, or null when HEAD is detached. */
  branch: string | null;
}

/** Inside every jail of a git session: the user's objects, mounted read-only. */
export const JAIL_OBJECTS = '/corral/objects';

/** The repository that contains `dir`, or undefined when it is not inside one. */
export async function inspectRepo(dir: string): Promise<RepoInfo | undefined> {
  const top = await git(['rev-parse', '--show-toplevel'], { cwd: dir });
  if (top.code !== 0) return undefined;
  const root = top.stdout.trim();
  const common = (await gitOk(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root })).trim();
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root });
  if (head.code !== 0) {
    throw new CorralError(ErrorCode.InvalidParams, `${root} has no commits yet`, 'commit something first, or start the session on a folder that is not a git repository');
  }
  const branch = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root });
  return { root, objectsDir: path.join(common, 'objects'), head: head.stdout.trim(), branch: branch.code === 0 ? branch.stdout.trim() : null };
}

export interface CheckoutPaths {
  /** Mounted at /workspace; its `.git` belongs to the session (the jail can change anything in it). */
  workspace: string;
  /**
   * Corral's own bare repository for this session, never mounted: diff and apply run git here,
   * with the workspace as work tree, so nothing the session planted in its `.git` is ever read.
   */
  trusted: string;
}

/**
 * A private checkout of `repo.head` on branch `corral/<id>`: a fresh repository (not a
 * `git worktree`, whose `.git` file points at the user's repository) that borrows the user's
 * objects through GIT_ALTERNATE_OBJECT_DIRECTORIES — copying no object. Inside the jail the
 * objects are mounted read-only at /corral/objects, so nothing there can write the user's
 * repository. With `withChanges`, the user's uncommitted and untracked files come along.
 */
export async function createCheckout(repo: RepoInfo, paths: CheckoutPaths, sessionId: string, withChanges: boolean): Promise<void> {
  const branch = `corral/${sessionId}`;
  const borrow = { GIT_ALTERNATE_OBJECT_DIRECTORIES: repo.objectsDir };
  fs.mkdirSync(paths.workspace, { recursive: true });
  await gitOk(['init', '--quiet', `--initial-branch=${branch}`, paths.workspace]);
  const jailGitDir = path.join(paths.workspace, '.git');
  await gitOk(['--git-dir', jailGitDir, 'config', 'user.name', 'Corral agent']);
  await gitOk(['--git-dir', jailGitDir, 'config', 'user.email', `agent+${sessionId}@corral.invalid`]);
  await gitOk(['--git-dir', jailGitDir, 'update-ref', `refs/heads/${branch}`, repo.head], { env: borrow });
  await gitOk(['--git-dir', jailGitDir, '--work-tree', paths.workspace, 'read-tree', '-u', '--reset', repo.head], { env: borrow });

  await gitOk(['init', '--quiet', '--bare', paths.trusted]);
  fs.writeFileSync(path.join(paths.trusted, 'objects', 'info', 'alternates'), `${repo.objectsDir}\n`);
  await trustedGit(paths, ['read-tree', repo.head]);

  if (withChanges) await carryChanges(repo, paths.workspace);
}

/** git in the trusted repository with the workspace as work tree and the trusted index. */
export function trustedGit(paths: CheckoutPaths, args: string[], maxBuffer?: number): Promise<string> {
  return gitOk(['--git-dir', paths.trusted, '--work-tree', paths.workspace, ...args], {
    env: { GIT_INDEX_FILE: path.join(paths.trusted, 'corral-index') },
    ...(maxBuffer === undefined ? {} : { maxBuffer }),
  });
}

/** The user's uncommitted changes (as a binary patch) and untracked, not ignored, files. */
async function carryChanges(repo: RepoInfo, workspace: string): Promise<void> {
  const patch = await gitOk(['diff', '--no-ext-diff', '--no-textconv', '--binary', 'HEAD'], { cwd: repo.root });
  if (patch.length > 0) {
    await gitOk(['apply', '--whitespace=nowarn', '-'], { cwd: workspace, input: patch, env: { GIT_DIR: path.join(workspace, '.git') } });
  }
  const untracked = (await gitOk(['ls-files', '--others', '--exclude-standard', '-z'], { cwd: repo.root })).split('\0').filter(Boolean);
  for (const file of untracked) {
    const from = path.join(repo.root, file);
    const to = path.join(workspace, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { verbatimSymlinks: true, preserveTimestamps: true });
  }
}
