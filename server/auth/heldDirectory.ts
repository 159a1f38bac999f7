import * as fs from 'node:fs';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/** A folder as it was when checked: its real path and which inode that path named then. */
export interface CheckedFolder {
  real: string;
  dev: number;
  ino: number;
}

/** Records which folder `real` (a resolved path, see realPath.ts) names now. */
export function checkFolderIdentity(real: string): CheckedFolder {
  const stat = fs.lstatSync(real);
  if (!stat.isDirectory()) throw new CorralError(ErrorCode.InvalidParams, `${real} is not a folder`, 'pass a folder');
  return { real, dev: stat.dev, ino: stat.ino };
}

/**
 * A checked folder held open. Work inside it goes through `/proc/self/fd/N/…`, which the kernel
 * resolves to the open directory itself: a symbolic link swapped into the path after the check
 * is never followed, the folder that was checked is used or nothing is.
 */
export class HeldDirectory {
  private closed = false;

  private constructor(
    readonly checked: CheckedFolder,
    readonly fd: number,
  ) {}

  /**
   * Opens the folder without following a link in its last component, then asks the kernel which
   * folder it opened (an earlier component swapped for a link would open another one) and
   * compares inodes with the check. Anything different is refused.
   */
  static open(checked: CheckedFolder): HeldDirectory {
    let fd: number;
    try {
      fd = fs.openSync(checked.real, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    } catch (error) {
      throw changed(checked.real, (error as NodeJS.ErrnoException).code ?? 'error');
    }
    const held = new HeldDirectory(checked, fd);
    try {
      const opened = fs.readlinkSync(held.path);
      const stat = fs.fstatSync(fd);
      if (opened !== checked.real || stat.dev !== checked.dev || stat.ino !== checked.ino) throw changed(checked.real, `it now leads to ${opened}`);
    } catch (error) {
      held.close();
      throw error instanceof CorralError ? error : changed(checked.real, (error as NodeJS.ErrnoException).code ?? 'error');
    }
    return held;
  }

  /** The open folder as a path the kernel resolves through the descriptor. */
  get path(): string {
    return `/proc/self/fd/${this.fd}`;
  }

  /** A direct child of the held folder, by name (no slashes, no `..`). */
  child(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/'))
      throw new CorralError(ErrorCode.InvalidParams, `${name} is not a file name`, 'name a file directly inside the folder');
    return `${this.path}/${name}`;
  }

  /** True while the checked path still names the held folder (for work that cannot go through the descriptor). */
  stillThere(): boolean {
    return stillNamed(this.checked);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** True while `checked.real` still leads, through no link, to the folder that was checked. */
export function stillNamed(checked: CheckedFolder): boolean {
  try {
    const stat = fs.lstatSync(checked.real);
    return stat.isDirectory() && stat.dev === checked.dev && stat.ino === checked.ino && fs.realpathSync.native(checked.real) === checked.real;
  } catch {
    return false;
  }
}

/** Refuses work whose folders were swapped after their check. */
export function assertStillNamed(folders: readonly CheckedFolder[]): void {
  const moved = folders.find((folder) => !stillNamed(folder));
  if (moved) throw changed(moved.real, 'it no longer names the folder that was checked');
}

function changed(real: string, why: string): CorralError {
  return new CorralError(
    ErrorCode.Forbidden,
    `${real} changed after it was checked (${why}); refused`,
    'a folder on the path was replaced (by a symbolic link?): check it and try again',
  );
}

/** Reads a file without following a symbolic link as its last component (that fails with ELOOP). */
export function readNoFollow(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
