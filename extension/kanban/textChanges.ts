/** A replacement in a text: [start, end) of the old text becomes `text`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** Past this many changed lines a move is one replacement: a board edit never comes near it. */
const MAX_CHANGED_LINES = 400;

/**
 * The changes that turn `before` into `after`, line by line (Myers' diff on the lines between the
 * common head and tail): a card moved between lanes is a deletion and an insertion, not one
 * replacement of everything in between, so the editor keeps the cursor, folds and undo steps of
 * the text around it. Applying them (to `before`, last first) gives exactly `after`.
 */
export function textChanges(before: string, after: string): TextChange[] {
  if (before === after) return [];
  // Whole lines only: the common head ends after a line break, the tail starts at one.
  let head = 0;
  const limit = Math.min(before.length, after.length);
  while (head < limit && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  head = head === 0 ? 0 : before.lastIndexOf('\n', head - 1) + 1;
  let tail = 0;
  while (tail < limit - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  // Back to just after a line break (or the very end), so both middles are whole lines.
  while (tail > 0 && before.charCodeAt(before.length - tail - 1) !== 10) tail--;
  const a = splitLines(before.slice(head, before.length - tail));
  const b = splitLines(after.slice(head, after.length - tail));
  const hunks = diffLines(a, b, MAX_CHANGED_LINES);
  if (hunks === undefined) return [{ start: head, end: before.length - tail, text: after.slice(head, after.length - tail) }];
  const aOffsets = offsets(a, head);
  return hunks.map(([aStart, aEnd, bStart, bEnd]) => ({ start: aOffsets[aStart]!, end: aOffsets[aEnd]!, text: b.slice(bStart, bEnd).join('') }));
}

/** Lines with their line endings kept (the last one may have none). */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

function offsets(lines: string[], from: number): number[] {
  const result = [from];
  for (const line of lines) result.push(result.at(-1)! + line.length);
  return result;
}

/** Myers' O(ND) diff: hunks [aStart, aEnd, bStart, bEnd) in order, or undefined past `maxD` edits. */
export function diffLines(a: readonly string[], b: readonly string[], maxD: number): [number, number, number, number][] | undefined {
  const n = a.length;
  const m = b.length;
  const trace: Int32Array[] = [];
  // v[d][k + d]: the furthest x on diagonal k after d edits.
  const at = (v: Int32Array | undefined, d: number, k: number): number => (v === undefined ? 0 : (v[k + d] ?? 0));
  let found = -1;
  for (let d = 0; d <= Math.min(n + m, maxD) && found < 0; d++) {
    const previous = trace[d - 1];
    const v = new Int32Array(2 * d + 1);
    for (let k = -d; k <= d; k += 2) {
      let x = d === 0 ? 0 : k === -d || (k !== d && at(previous, d - 1, k - 1) < at(previous, d - 1, k + 1)) ? at(previous, d - 1, k + 1) : at(previous, d - 1, k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + d] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(v);
  }
  if (found < 0) return undefined;
  // Walk back from the end: each step is one deleted line of a or one inserted line of b.
  const ops: { kind: 'del' | 'ins'; x: number; y: number }[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const previous = trace[d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(previous, d - 1, k - 1) < at(previous, d - 1, k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(previous, d - 1, prevK);
    const prevY = prevX - prevK;
    ops.push(down ? { kind: 'ins', x: prevX, y: prevY } : { kind: 'del', x: prevX, y: prevY });
    x = prevX;
    y = prevY;
  }
  ops.reverse();
  const hunks: [number, number, number, number][] = [];
  for (const op of ops) {
    const last = hunks.at(-1);
    const aEnd = op.kind === 'del' ? op.x + 1 : op.x;
    const bEnd = op.kind === 'ins' ? op.y + 1 : op.y;
    if (last && last[1] === op.x && last[3] === op.y) {
      last[1] = aEnd;
      last[3] = bEnd;
    } else hunks.push([op.x, aEnd, op.y, bEnd]);
  }
  return hunks;
}
