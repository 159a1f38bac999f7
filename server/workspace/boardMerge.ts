import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { git, type GitResult } from './git';

// A session that edits the task board while people (or `corral tasks`) edit it in the repository:
// at apply, the board is merged three-way by git instead of the session's patch being refused.

/** Board files: Corral's default `docs/TASKS.md`, and markdown named as boards usually are. */
const BOARD_NAME = /^(?:tasks|todo|backlog|kanban|board|roadmap)\.(?:md|markdown)$/i;

export function isBoardPath(file: string): boolean {
  return BOARD_NAME.test(path.posix.basename(file));
}

/** One file's part of a `git diff` patch. */
interface Section {
  text: string;
  path: string;
  /** The blob the change was made on (`index <pre>..<post>`), when it is a plain edit. */
  preimage?: string;
}

/** A patch cut at its `diff --git` headers. */
function sections(patch: string): Section[] {
  const starts = [...patch.matchAll(/^diff --git /gm)].map((m) => m.index);
  return starts.map((start, i) => {
    const text = patch.slice(start, starts[i + 1] ?? patch.length);
    const header = /^diff --git a\/(.+) b\/(.+)$/m.exec(text);
    const plainEdit = header !== null && header[1] === header[2] && !/^(?:new|deleted) file mode|^rename from|^copy from|^GIT binary patch/m.test(text);
    const preimage = plainEdit ? /^index ([0-9a-f]{7,64})\.\.[0-9a-f]{7,64}/m.exec(text)?.[1] : undefined;
    return { text, path: header?.[2] ?? '', ...(preimage !== undefined ? { preimage } : {}) };
  });
}

export interface BoardMerges {
  /** The patch without the boards merged here: applied as before. */
  rest: string;
  /** Boards merged cleanly: their new text, to write after the rest applied. */
  boards: { path: string; text: string }[];
}

/**
 * For each board the patch edits that was also changed in the repository since the session's
 * base (by people or by `corral tasks`), a three-way merge by `git merge-file` — base: the board
 * at the session's base, ours: the repository's file now, theirs: the session's board — in units
 * of a line and the indented lines under it (edits to two adjacent tasks are not a conflict). A
 * conflict refuses the apply, naming the board and the lines, before anything is written.
 */
export async function mergeBoards(root: string, patch: string): Promise<BoardMerges> {
  const parts = sections(patch);
  if (!parts.some((part) => isBoardPath(part.path) && part.preimage !== undefined)) return { rest: patch, boards: [] };
  const boards: BoardMerges['boards'] = [];
  const rest: string[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-board-merge-'));
  try {
    for (const part of parts) {
      const merged = isBoardPath(part.path) && part.preimage !== undefined ? await mergeOne(root, part, scratch) : undefined;
      if (merged === undefined) rest.push(part.text);
      else boards.push({ path: part.path, text: merged });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { rest: patch.slice(0, parts.length > 0 ? patch.indexOf(parts[0]!.text) : patch.length) + rest.join(''), boards };
}

/** The merged board, or undefined when the ordinary patch applies to it as it is (or cannot be helped). */
async function mergeOne(root: string, part: Section, scratch: string): Promise<string | undefined> {
  const file = path.join(root, part.path);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  const ours = fs.readFileSync(file, 'utf8');
  const base = await git(['cat-file', 'blob', part.preimage!], { cwd: root });
  // Unchanged since the session's base: the session's patch applies as it is.
  if (base.code !== 0 || base.stdout === ours) return undefined;
  const theirs = await sessionBoard(base.stdout, part, scratch);
  // A board holding the joining character cannot be spread into units: left to the ordinary patch.
  if (theirs === undefined || [ours, base.stdout, theirs].some((text) => text.includes(JOIN))) return undefined;
  const separator = `corral-merge-${randomBytes(8).toString('hex')}`;
  const merge = async (reversed: boolean): Promise<GitResult> => {
    const write = (name: string, text: string): string => {
      const at = path.join(scratch, name);
      fs.writeFileSync(at, spread(text, separator, reversed));
      return at;
    };
    const result = await git(['merge-file', '-p', '-L', 'yours', '-L', 'base', '-L', 'session', write('ours', ours), write('base', base.stdout), write('theirs', theirs)], {
      cwd: scratch,
    });
    if (result.code < 0 || result.code >= 128)
      throw new CorralError(ErrorCode.Internal, `git merge-file failed on ${part.path}: ${result.stderr.trim()}`, 'nothing was applied; apply the session by hand (`corral diff`)');
    return result;
  };
  const forward = await merge(false);
  if (forward.code === 0) return gather(forward.stdout, separator, false);
  // git places a line inserted or deleted next to a change after the lines around it; read
  // backwards the same edits fall on the other side of it. The units are the same either way.
  const backward = await merge(true);
  if (backward.code === 0) return gather(backward.stdout, separator, true);
  throw conflict(part.path, forward.stdout, separator, ours);
}

/** The session's board: its part of the patch applied to the base (outside any repository). */
async function sessionBoard(base: string, part: Section, scratch: string): Promise<string | undefined> {
  const dir = path.join(scratch, 'session');
  const file = path.join(dir, part.path);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, base);
  const applied = await git(['apply', '--whitespace=nowarn', '-'], { cwd: dir, input: part.text });
  return applied.code === 0 ? fs.readFileSync(file, 'utf8') : undefined;
}

/** Joins a task's continuation lines to it inside one merge unit (never in a board's text: it is a control character). */
const JOIN = '\u0001';

/**
 * The text as merge units (in reverse order when `reversed`), each followed by a separator line.
 * git merges by hunks of lines and calls changes to two adjacent lines a conflict; a separator
 * between every two units leaves changes to the same unit, and a line inserted or deleted right
 * next to a unit changed on the other side, as conflicts (the second merged when read backwards). A unit is a line with the indented lines under it (a task's notes and
 * sub-items), so a note added under one task and a change to the next task's line do not meet.
 */
function spread(text: string, separator: string, reversed: boolean): string {
  const units: string[] = [];
  for (const line of text.split('\n')) {
    if (units.length > 0 && /^[ \t]+\S/.test(line)) units[units.length - 1] += JOIN + line;
    else units.push(line);
  }
  if (reversed) units.reverse();
  return units.map((unit) => `${unit}\n${separator}`).join('\n');
}

function gather(text: string, separator: string, reversed: boolean): string {
  const units = text.split('\n').filter((line) => line !== separator);
  if (reversed) units.reverse();
  return units.join('\n').replaceAll(JOIN, '\n');
}

/** The refusal: the board and, for each conflict, its line in your file and both sides' text. */
function conflict(board: string, merged: string, separator: string, ours: string): CorralError {
  const oursLines = ours.split('\n');
  const found: string[] = [];
  let side: 'yours' | 'session' | undefined;
  let current = { yours: [] as string[], session: [] as string[] };
  let from = 0;
  for (const line of merged.replaceAll(JOIN, '\n').split('\n')) {
    if (line === separator) continue;
    if (line.startsWith('<<<<<<< yours')) [side, current] = ['yours', { yours: [], session: [] }];
    else if (line.startsWith('=======') && side === 'yours') side = 'session';
    else if (line.startsWith('>>>>>>> session') && side === 'session') {
      side = undefined;
      const at = current.yours.length > 0 ? oursLines.indexOf(current.yours[0]!, from) : -1;
      if (at >= 0) from = at + 1;
      const where = at >= 0 ? `line ${at + 1}${current.yours.length > 1 ? `–${at + current.yours.length}` : ''}` : 'an insertion';
      const show = (lines: string[]): string => (lines.length === 0 ? '(nothing)' : lines.map((l) => `“${l.trim().slice(0, 80)}”`).join(' '));
      found.push(`${where}: yours ${show(current.yours)}, the session's ${show(current.session)}`);
    } else if (side !== undefined) current[side].push(line);
  }
  return new CorralError(
    ErrorCode.Conflict,
    `the task board ${board} was changed both in your repository and in the session on the same lines — ${found.slice(0, 3).join('; ')}${found.length > 3 ? `; and ${found.length - 3} more` : ''}`,
    `nothing was applied; make the board agree (edit ${board} to keep what you want of the session's lines), then apply again`,
  );
}
