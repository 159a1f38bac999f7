import * as fs from 'node:fs';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/**
 * Refuses a board path that is not a regular file before anything reads it: a folder would fail
 * as an internal error, and reading a FIFO would wait forever for a writer.
 */
export function assertRegularFile(file: string): void {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch {
    // Missing or unreadable: the read that follows says which, with its own hint.
    return;
  }
  if (stats.isDirectory()) throw new CorralError(ErrorCode.InvalidParams, `${file} is a folder, not a task board`, 'point --board at the markdown file itself, e.g. docs/TASKS.md');
  if (!stats.isFile())
    throw new CorralError(ErrorCode.InvalidParams, `${file} is not a regular file (a pipe, socket or device), so it cannot be a task board`, 'point --board at a markdown file');
}
