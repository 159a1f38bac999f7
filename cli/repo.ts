import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder at or above `dir` that holds a `.git` (directory or file), if any. */
export function gitRootAbove(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
