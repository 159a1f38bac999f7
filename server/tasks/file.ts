import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNoFollow } from '../auth/heldDirectory';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { readBoard, type Board, type ParseOptions } from './board';
import { applyEdit, BoardEditError, type BoardEdit } from './edit';
import { markdownParser } from './markdown';
import { assertRegularFile } from './regularFile';

export interface BoardFile {
  path: string;
  version: string;
  board: Board;
  /** False when the bytes are not valid UTF-8: readable (with replacement characters), not editable. */
  utf8: boolean;
}

export function versionOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Parsed boards by content version: a megabyte board is parsed once per change, not per request. */
const parsed = new Map<string, Board>();
const PARSED_MAX = 8;

function parse(text: string, version: string, options: ParseOptions): Board {
  const key = `${version}:${JSON.stringify(options)}`;
  let board = parsed.get(key);
  if (!board) {
    board = readBoard(text, markdownParser(), options);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, board);
  }
  return board;
}

/** Reads and parses a board; a missing file says how to make one. */
export function loadBoard(file: string, options: ParseOptions = {}): BoardFile {
  assertRegularFile(file);
  let bytes: Buffer;
  try {
    // O_NOFOLLOW: a board replaced by a symbolic link after its path was checked is not followed.
    bytes = readNoFollow(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new CorralError(ErrorCode.Forbidden, `${file} is a symbolic link; Corral reads boards only as regular files`, 'point --board at the markdown file itself');
    if (code === 'ENOENT')
      throw new CorralError(ErrorCode.NotFound, `there is no task board at ${file}`, 'create one with `corral tasks init`, or point at another with --board FILE');
    throw new CorralError(ErrorCode.Internal, `cannot read ${file}: ${(error as Error).message}`, 'check the file and its permissions');
  }
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    utf8 = false;
  }
  const version = versionOf(bytes);
  const board = utf8 ? parse(text, version, options) : readBoard(text, markdownParser(), options);
  if (!utf8) board.warnings.unshift(`${path.basename(file)} is not valid UTF-8: it can be read but Corral will not edit it (it could not write it back byte for byte)`);
  return { path: file, version, board, utf8 };
}

/**
 * Makes one edit to the file on disk. The edit names its task by id, so when the file changed
 * since `baseVersion` (someone typing, a `git pull`) it is made again on the new content if it
 * still applies, and refused with a conflict if not — never lost, never clobbering. The new
 * content replaces the file atomically, and only if the file is still what the edit was made on.
 */
export function editBoard(file: string, baseVersion: string | undefined, edit: BoardEdit, options: ParseOptions = {}): { file: BoardFile; reapplied: boolean } {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = loadBoard(file, options);
    if (!current.utf8)
      throw new CorralError(ErrorCode.Conflict, `${file} is not valid UTF-8, so Corral will not edit it`, 'convert it to UTF-8 (e.g. iconv -t UTF-8) and try again');
    const reapplied = baseVersion !== undefined && baseVersion !== current.version;
    let text: string;
    try {
      // The check parses the result once; the cache hands that parse to the read after the write.
      text = applyEdit(current.board, edit, (t) => parse(t, versionOf(Buffer.from(t, 'utf8')), options));
    } catch (error) {
      if (!(error instanceof BoardEditError)) throw error;
      const unknown = /^no task (.+) on the board$/.exec(error.message);
      if (unknown && reapplied)
        throw new CorralError(
          ErrorCode.Conflict,
          `the board changed since you read it, and task ${unknown[1]} is no longer on it`,
          'list the tasks again (`corral tasks ls`) and retry',
        );
      if (unknown) throw new CorralError(ErrorCode.NotFound, `no task ${unknown[1]} on ${path.basename(file)}`, suggestion(current.board, unknown[1]!));
      throw new CorralError(ErrorCode.Conflict, error.message, 'edit the board by hand for this one, or change its layout');
    }
    if (writeIfUnchanged(file, current.version, text)) return { file: loadBoard(file, options), reapplied: reapplied || attempt > 0 };
  }
  throw new CorralError(ErrorCode.Conflict, `${file} kept changing while Corral tried to edit it`, 'try again in a moment');
}

/** Temp file beside it, same mode, fsync'd; renamed over the board only if the board did not change meanwhile. */
function writeIfUnchanged(file: string, version: string, text: string): boolean {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.corral-${randomBytes(4).toString('hex')}`);
  const mode = fs.statSync(file).mode & 0o7777;
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.writeFileSync(fd, text, 'utf8');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (versionOf(readNoFollow(file)) !== version) {
    fs.rmSync(temp, { force: true });
    return false;
  }
  fs.renameSync(temp, file);
  return true;
}

/** "did you mean …": the ids closest to an unknown one. */
export function suggestion(board: Board, id: string): string {
  const scored = board.tasks.map((t) => ({ id: t.id, d: distance(t.id.toLowerCase(), id.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const close = scored.filter((s) => s.d <= Math.max(2, Math.floor(id.length / 2))).slice(0, 3);
  return close.length > 0 ? `did you mean ${close.map((c) => c.id).join(', ')}? (\`corral tasks ls\` lists them)` : 'list the tasks with `corral tasks ls`';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

export const STARTER_BOARD = `# Task board

Tasks are GFM task lists under status headings; give each an id (\`T-1\`, \`T-2\`, …) so people and
agents can name it. \`@name\` assigns, \`#tag\` tags; notes go as indented sub-items.

## In progress

## Todo

- [ ] T-1 Describe the first task here

## Done
`;
