import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { mergeBoards } from './boardMerge';
import { git, gitOk } from './git';

export type ApplyMode = 'commit' | 'patch';

/** Every path a patch touches, from its `diff --git` and rename/copy headers. */
export function patchPaths(patch: string): string[] {
  const paths: string[] = [];
  for (const line of patch.split('\n')) {
    const header = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (header) paths.push(header[1]!, header[2]!);
    const moved = /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
    if (moved) paths.push(moved[1]!);
  }
  return paths;
}

/** A `.git` path component in any case, or with the trailing dots and spaces some file systems drop. */
export function touchesGitDir(file: string): boolean {
  return file.split('/').some((part) => /^\.git[. ]*$/i.test(part) || /^git~\d+$/i.test(part));
}

/**
 * Brings a session's patch onto the user's current branch: as one commit (`commit`) or as
 * changes left in the working tree (`patch`). Checked first and refused, changing nothing, when a
 * path is inside `.git`, when the index has staged work of the user's (commit mode), or when the
 * patch does not apply to the user's tree as it is now. A task board the session edited that was
 * also edited in the repository meanwhile is merged three-way (server/workspace/boardMerge.ts).
 */
export async function applyToRepo(root: string, patch: string, mode: ApplyMode, message: string): Promise<{ files: number; commit?: string }> {
  const files = [...new Set(patchPaths(patch))];
  if (files.length === 0) return { files: 0 };
  const gitPath = files.find(touchesGitDir);
  if (gitPath !== undefined) {
    throw new CorralError(
      ErrorCode.Forbidden,
      `the session's changes touch ${gitPath}, inside a .git directory`,
      'nothing was applied; review the session with `corral diff` and apply by hand what you trust',
    );
  }
  if (mode === 'commit') {
    const ident = await git(['var', 'GIT_COMMITTER_IDENT'], { cwd: root, user: true });
    if (ident.code !== 0) {
      throw new CorralError(
        ErrorCode.Conflict,
        'git does not know who you are in this repository, so it cannot commit',
        'set `git config user.name` and `user.email`, or use `corral apply --patch`',
      );
    }
    const staged = await git(['diff', '--cached', '--quiet'], { cwd: root, user: true });
    if (staged.code !== 0) {
      throw new CorralError(
        ErrorCode.Conflict,
        'your index has staged changes that would end up in the same commit',
        'commit or unstage them first (`git stash`), or use `corral apply --patch`',
      );
    }
  }
  // A board edited meanwhile is merged three-way (a conflict refuses here, before any write).
  const { rest, boards } = await mergeBoards(root, patch);
  const args = mode === 'commit' ? ['apply', '--index', '--whitespace=nowarn'] : ['apply', '--whitespace=nowarn'];
  const check = rest.trim() === '' ? undefined : await git([...args, '--check', '-'], { cwd: root, user: true, input: rest });
  if (check !== undefined && check.code !== 0) {
    throw new CorralError(
      ErrorCode.Conflict,
      `the session's changes do not apply to your working tree: ${check.stderr.trim().split('\n').slice(0, 3).join('; ')}`,
      'nothing was changed; commit or stash your own changes to those files, or update the session, then retry',
    );
  }
  if (check !== undefined) await gitOk([...args, '-'], { cwd: root, user: true, input: rest });
  for (const board of boards) {
    writeBeside(path.join(root, board.path), board.text);
    // The commit carries the board as merged: the session's edits and those made meanwhile.
    if (mode === 'commit') await gitOk(['add', '--', board.path], { cwd: root, user: true });
  }
  if (mode === 'patch') return { files: files.length };
  // Hooks are not run: a failing pre-commit hook would leave the changes half applied. Run your
  // checks on the result.
  await gitOk(['commit', '--quiet', '--no-verify', '-m', message], { cwd: root, user: true });
  const commit = (await gitOk(['rev-parse', 'HEAD'], { cwd: root, user: true })).trim();
  return { files: files.length, commit };
}

/** Replaces a file by a new one written beside it (same mode), so a reader never sees half of it. */
function writeBeside(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.corral-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(temp, text, { mode: fs.statSync(file).mode & 0o7777, flag: 'wx' });
  fs.renameSync(temp, file);
}
