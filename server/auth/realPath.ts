import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/** Symbolic links followed in one resolution before giving up, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

export interface RealPath {
  /** The path with every `..` and symbolic link resolved, as the kernel would walk it. */
  real: string;
  /** False when some trailing components do not exist yet (a board about to be created). */
  exists: boolean;
}

/**
 * Resolves `given` one component at a time with lstat/readlink, never by string rules: in
 * `repo/link/../x` the `..` leaves the link's target, not `repo/link`, which is exactly what a
 * prefix check on the text gets wrong. Components past the first missing one cannot be links;
 * a `..` among them is refused (it would name something the check could not see).
 */
export function resolveReal(given: string): RealPath {
  if (!path.isAbsolute(given)) throw new CorralError(ErrorCode.InvalidParams, `${given} is not an absolute path`, 'pass an absolute path (the CLI resolves relative ones for you)');
  const pending = given.split('/').filter((part) => part !== '' && part !== '.');
  let current = '/';
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(next);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new CorralError(ErrorCode.Forbidden, `cannot check ${given}: ${code ?? 'error'} at ${next}`, 'check the path and its permissions');
      if (pending.includes('..')) throw new CorralError(ErrorCode.Forbidden, `${given} goes back up (..) through ${next}, which does not exist`, 'pass the path without ..');
      return { real: path.join(next, ...pending), exists: false };
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new CorralError(ErrorCode.Forbidden, `${given} has too many symbolic links (a loop?)`, 'pass the real path of the folder or file');
      const target = fs.readlinkSync(next);
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      if (target.startsWith('/')) current = '/';
      continue;
    }
    if (!stat.isDirectory() && pending.length > 0) {
      throw new CorralError(ErrorCode.NotFound, `${given}: ${next} is not a folder`, 'check the path');
    }
    current = next;
  }
  return { real: current, exists: true };
}

/** True when `child` is `parent` or inside it; both must be real paths. */
export function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);
}
