import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/**
 * `relative` (from `from`, a folder inside `root`) as an absolute path that stays inside the
 * repository, symlinks resolved: a definition must not make the daemon read or send files from
 * elsewhere on the machine into a build.
 */
export function insideRepo(root: string, from: string, relative: string, what: string): string {
  const target = path.resolve(from, relative);
  const real = fs.existsSync(target) ? fs.realpathSync(target) : target;
  const realRoot = fs.realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new CorralError(ErrorCode.InvalidParams, `${what} ${relative} leads out of the repository`, `keep ${what} inside ${root}`);
  }
  return real;
}

/** A file's text, or undefined when it does not exist (a folder or unreadable file is an error). */
export function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CorralError(ErrorCode.InvalidParams, `cannot read ${file}: ${(error as Error).message}`, 'make it a readable file, or remove it');
  }
}
