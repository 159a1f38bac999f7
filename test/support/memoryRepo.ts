import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import type { HostRepo } from '../../server/ports/git';
import { ErrorCode, type ChangedFile } from '../../server/protocol';
import { patchPaths, touchesGitDir, type ApplyMode } from '../../server/workspace/apply';
import type { CheckoutPaths, RepoInfo } from '../../server/workspace/checkout';
import type { WorkspaceDiff } from '../../server/workspace/diff';

type Files = Map<string, string>;

interface Repository {
  commits: Map<string, Files>;
  head: string;
  branch: string;
}

/**
 * The host repository port without git, for service tests: a repository's history is kept here
 * (each commit the whole set of text files), its files and every checkout are real folders, so
 * the daemon can hold, mount and remove them as it does real ones and a test edits a workspace
 * with `fs`. Text files only; no renames or binary detection (statuses A, M, D). The contract it
 * shares with real git is test/integration/hostRepo.test.ts.
 */
export class MemoryRepo implements HostRepo {
  private readonly repos = new Map<string, Repository>();

  /** Makes a repository at `root` (written there) whose one commit holds `files`; returns the commit. */
  create(root: string, files: Record<string, string>, branch = 'main'): string {
    writeFiles(root, new Map(Object.entries(files)));
    // Where real git keeps the objects a session mounts read-only: the folder exists to be checked and mounted.
    fs.mkdirSync(path.join(root, '.git', 'objects'), { recursive: true });
    const snapshot = new Map(Object.entries(files));
    const commit = commitId(snapshot, '');
    this.repos.set(fs.realpathSync(root), { commits: new Map([[commit, snapshot]]), head: commit, branch });
    return commit;
  }

  /** The files of commit `ref` (default HEAD) of the repository at `root`. */
  committed(root: string, ref?: string): Record<string, string> {
    const repo = this.repo(root);
    return Object.fromEntries(repo.commits.get(ref ?? repo.head) ?? []);
  }

  inspect(dir: string): Promise<RepoInfo | undefined> {
    const root = this.rootOf(dir);
    if (root === undefined) return Promise.resolve(undefined);
    const repo = this.repo(root);
    return Promise.resolve({ root, objectsDir: path.join(root, '.git', 'objects'), head: repo.head, branch: repo.branch });
  }

  head(dir: string): Promise<{ root: string; commit: string } | undefined> {
    const root = this.rootOf(dir);
    return Promise.resolve(root === undefined ? undefined : { root, commit: this.repo(root).head });
  }

  checkout(repo: RepoInfo, paths: CheckoutPaths, sessionId: string, withChanges: boolean): Promise<void> {
    const files = new Map(this.repo(repo.root).commits.get(repo.head));
    if (withChanges) for (const [file, text] of readFiles(repo.root)) files.set(file, text);
    writeFiles(paths.workspace, files);
    // The trusted repository remembers the base, as real git's does in its own objects.
    fs.mkdirSync(paths.trusted, { recursive: true });
    fs.writeFileSync(path.join(paths.trusted, 'memory-origin.json'), JSON.stringify({ root: repo.root, sessionId }));
    return Promise.resolve();
  }

  diff(paths: CheckoutPaths, base: string): Promise<WorkspaceDiff> {
    const { root } = JSON.parse(fs.readFileSync(path.join(paths.trusted, 'memory-origin.json'), 'utf8')) as { root: string };
    const before = this.repo(root).commits.get(base);
    if (before === undefined) return Promise.reject(new Error(`no commit ${base} in ${root}`));
    const after = readFiles(paths.workspace);
    const files: ChangedFile[] = [];
    let patch = '';
    for (const file of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const old = before.get(file);
      const now = after.get(file);
      if (old === now) continue;
      const added = now === undefined ? 0 : lines(now).length;
      const deleted = old === undefined ? 0 : lines(old).length;
      files.push({ path: file, status: old === undefined ? 'A' : now === undefined ? 'D' : 'M', binary: false, added, deleted });
      patch += filePatch(file, old, now);
    }
    const stat = files.map((f) => ` ${f.path} | ${f.added + f.deleted} ${'+'.repeat(f.added)}${'-'.repeat(f.deleted)}\n`).join('');
    return Promise.resolve({ base, files, patch, stat });
  }

  apply(at: string, patch: string, mode: ApplyMode, message: string): Promise<{ files: number; commit?: string }> {
    const root = realPath(at);
    const repo = this.repo(root);
    const changes = parsePatch(patch);
    if (changes.length === 0) return Promise.resolve({ files: 0 });
    const gitPath = patchPaths(patch).find(touchesGitDir);
    if (gitPath !== undefined)
      return Promise.reject(new CorralError(ErrorCode.Forbidden, `the session's changes touch ${gitPath}, inside a .git directory`, 'nothing was applied'));
    for (const change of changes) {
      const current = readText(path.join(root, change.path));
      if (current !== change.old)
        return Promise.reject(new CorralError(ErrorCode.Conflict, `the session's changes do not apply to your working tree: ${change.path}`, 'nothing was changed'));
    }
    for (const change of changes) {
      const file = path.join(root, change.path);
      if (change.now === undefined) fs.rmSync(file);
      else {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, change.now);
      }
    }
    if (mode === 'patch') return Promise.resolve({ files: changes.length });
    const snapshot = new Map(repo.commits.get(repo.head));
    for (const change of changes) {
      if (change.now === undefined) snapshot.delete(change.path);
      else snapshot.set(change.path, change.now);
    }
    const commit = commitId(snapshot, `${repo.head}\n${message}`);
    repo.commits.set(commit, snapshot);
    repo.head = commit;
    return Promise.resolve({ files: changes.length, commit });
  }

  /** The repository holding `dir`, found by its real path (the daemon works through held descriptors, `/proc/self/fd/N`). */
  private rootOf(dir: string): string | undefined {
    const real = realPath(dir);
    return [...this.repos.keys()].find((root) => real === root || real.startsWith(`${root}${path.sep}`));
  }

  private repo(root: string): Repository {
    const repo = this.repos.get(realPath(root));
    if (repo === undefined) throw new Error(`no memory repository at ${root}`);
    return repo;
  }
}

function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

function commitId(files: Files, parent: string): string {
  const hash = createHash('sha1').update(parent);
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${file}\0${text}\0`);
  return hash.digest('hex');
}

function writeFiles(dir: string, files: Files): void {
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** Every file under `dir` but `.git`, by its path relative to `dir` (always with `/`). */
function readFiles(dir: string): Files {
  const files: Files = new Map();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (relative.split('/').includes('.git')) continue;
    files.set(relative, fs.readFileSync(path.join(dir, relative), 'utf8'));
  }
  return files;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** A whole-file hunk in git's format (what `patchPaths` and `git apply` read). */
function filePatch(file: string, old: string | undefined, now: string | undefined): string {
  const side = (text: string | undefined, sign: '-' | '+'): string =>
    text === undefined
      ? ''
      : lines(text)
          .map((line) => `${sign}${line}\n`)
          .join('') + (text !== '' && !text.endsWith('\n') ? '\\ No newline at end of file\n' : '');
  const count = (text: string | undefined): number => (text === undefined ? 0 : lines(text).length);
  const header = `diff --git a/${file} b/${file}\n${old === undefined ? 'new file mode 100644\n' : now === undefined ? 'deleted file mode 100644\n' : ''}`;
  const names = `--- ${old === undefined ? '/dev/null' : `a/${file}`}\n+++ ${now === undefined ? '/dev/null' : `b/${file}`}\n`;
  return `${header}${names}@@ -${count(old) === 0 ? 0 : 1},${count(old)} +${count(now) === 0 ? 0 : 1},${count(now)} @@\n${side(old, '-')}${side(now, '+')}`;
}

/** The files of a patch made by `filePatch`: each one's whole old and new text (undefined: absent). */
function parsePatch(patch: string): { path: string; old: string | undefined; now: string | undefined }[] {
  const changes: { path: string; old: string | undefined; now: string | undefined }[] = [];
  for (const section of patch.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '))) {
    const file = /^diff --git a\/(.+) b\//.exec(section)?.[1] ?? '';
    const body = section.split('\n');
    const created = /^--- \/dev\/null$/m.test(section);
    const removed = /^\+\+\+ \/dev\/null$/m.test(section);
    let old = '';
    let now = '';
    let last: '-' | '+' | undefined;
    for (const line of body.slice(body.findIndex((l) => l.startsWith('@@')) + 1)) {
      if (line.startsWith('-')) [old, last] = [`${old}${line.slice(1)}\n`, '-'];
      else if (line.startsWith('+')) [now, last] = [`${now}${line.slice(1)}\n`, '+'];
      else if (line === '\\ No newline at end of file' && last === '-') old = old.slice(0, -1);
      else if (line === '\\ No newline at end of file' && last === '+') now = now.slice(0, -1);
    }
    changes.push({ path: file, old: created ? undefined : old, now: removed ? undefined : now });
  }
  return changes;
}
