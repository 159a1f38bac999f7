import type { Board, Task } from '../../tasks/board';
import { WORD_FOR, type TaskStatus } from '../../tasks/status';
import { sessionGone, type BoardFacts } from './facts';
import type { BoardDiagnostic, Range } from './types';

/** More than this many problems on one board: the rest are summed up in the last one. */
const MAX_DIAGNOSTICS = 1000;

type RangeOf = (start: number, end: number) => Range;

/**
 * What is wrong on the board as written: ids used twice (each place names the others), status
 * words the board's vocabulary does not know, tasks whose status their lane cannot show, and —
 * with a daemon — tasks still claimed by a session that no longer exists.
 */
export function boardDiagnostics(board: Board, facts: BoardFacts, rangeOf: RangeOf): BoardDiagnostic[] {
  const found: BoardDiagnostic[] = [];
  const firstLine = (t: Task): Range => rangeOf(t.firstLine.start, t.firstLine.end);
  const byId = new Map<string, Task[]>();
  for (const t of board.tasks) {
    const same = byId.get(t.id);
    if (same) same.push(t);
    else byId.set(t.id, [t]);
  }
  for (const [id, tasks] of byId) {
    if (tasks.length < 2) continue;
    for (const t of tasks) {
      const others = tasks.filter((o) => o !== t);
      found.push({
        range: firstLine(t),
        severity: 'warning',
        code: 'duplicate-id',
        message: `${id} is also the id of the task${others.length > 1 ? 's' : ''} on line${others.length > 1 ? 's' : ''} ${others.map((o) => o.line).join(', ')}; Corral uses the first one — give this one another id`,
        related: others.map((o) => ({ range: firstLine(o), message: `${id} here too (line ${o.line})` })),
      });
    }
  }
  for (const t of board.tasks) {
    if (t.status === 'other') {
      const at = t.statusText ?? t.firstLine;
      found.push({
        range: rangeOf(at.start, at.end),
        severity: 'warning',
        code: 'unknown-status',
        message: `"${t.otherStatus ?? ''}" is not a status this board knows (${knownWords(board)}); Corral lists ${t.id} as "other"`,
      });
    }
    const lane = t.lane === undefined ? undefined : board.headings[t.lane];
    if (lane?.status !== undefined && t.status !== 'other' && t.status !== lane.status) {
      const target = board.headings.find((h) => h.status === t.status && !h.inherited);
      found.push({
        range: firstLine(t),
        severity: 'information',
        code: 'status-not-shown',
        message: `${t.id} reads as ${WORD_FOR[t.status]} but sits in the "${lane.text}" lane, which shows ${WORD_FOR[lane.status]} tasks; ${target ? `move it to "${target.text}"` : `the board has no lane for ${WORD_FOR[t.status]} tasks`}`,
      });
    }
    if (facts.connected && t.status === 'in_progress') {
      const latest = facts.runs.get(t.id)?.[0];
      if (latest && sessionGone(facts, latest.sessionId)) {
        const state = facts.sessions.get(latest.sessionId)?.state;
        found.push({
          range: firstLine(t),
          severity: 'warning',
          code: 'stale-claim',
          message: `${t.id} is in progress for agent run ${latest.runId} in session ${latest.sessionId}, which ${state ? `is ${state}` : 'no longer exists'}; run the agent again or set its status`,
        });
      }
    }
  }
  if (found.length > MAX_DIAGNOSTICS) {
    const rest = found.length - MAX_DIAGNOSTICS + 1;
    found.length = MAX_DIAGNOSTICS - 1;
    found.push({ range: rangeOf(0, 0), severity: 'information', code: 'more', message: `${rest.toLocaleString('en-US')} more problems on this board are not shown` });
  }
  return found;
}

/** The status words a reader of this board can use: its own first, then Corral's. */
export function knownWords(board: Board): string {
  const own = Object.values(board.vocabulary.preferred);
  const words = [...new Set([...own, ...(Object.values(WORD_FOR) as string[])])];
  return words.join(', ');
}

export type { TaskStatus };
