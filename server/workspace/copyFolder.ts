import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a plain folder's copy left out: files that are not data (sockets, FIFOs, device nodes). */
export interface FolderCopy {
  skipped: number;
  /** One of them, relative to the folder, for the message; null when none was skipped. */
  example: string | null;
}

/**
 * Copies a plain (non-git) folder into a session's workspace. Sockets and FIFOs cannot be copied
 * (Node's `cp` fails with EINVAL) and a device node would be copied by reading it, which for
 * `/dev/zero`-like nodes never ends: they are left out and counted. Symbolic links stay links.
 */
export function copyPlainFolder(from: string, to: string): FolderCopy {
  const copy: FolderCopy = { skipped: 0, example: null };
  fs.cpSync(`${from}/`, to, {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
    filter: (source) => {
      const stat = fs.lstatSync(source);
      const special = stat.isSocket() || stat.isFIFO() || stat.isCharacterDevice() || stat.isBlockDevice();
      if (!special) return true;
      copy.skipped++;
      copy.example ??= path.relative(from, source);
      return false;
    },
  });
  return copy;
}

/** The sentence that tells the user what was left out: none when nothing was. */
export function describeSkipped(copy: FolderCopy): string[] {
  if (copy.skipped === 0) return [];
  const files = copy.skipped === 1 ? 'file' : 'files';
  return [`${copy.skipped} ${files} left out of the workspace: sockets, FIFOs and device nodes cannot be copied (e.g. ${copy.example ?? '?'})`];
}
