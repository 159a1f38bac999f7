import type { Board, Task } from '../../tasks/board';
import { WORD_FOR } from '../../tasks/status';
import { usd, type BoardFacts } from './facts';
import type { BoardLens, Range } from './types';

/** Command ids the lenses run; the LSP server carries them out (`workspace/executeCommand`). */
export const LensCommand = { runAgent: 'corral.lsp.runAgent', edit: 'corral.lsp.edit' } as const;

/**
 * Lenses above each top-level task: run the agent on it (with a daemon) · mark it done · what is
 * known of it ("in progress by alice · $0.42 over 2 runs").
 */
export function boardLenses(uri: string, board: Board, facts: BoardFacts, rangeOf: (start: number, end: number) => Range): BoardLens[] {
  const lenses: BoardLens[] = [];
  for (const t of board.tasks) {
    if (t.parent !== null) continue;
    const range = rangeOf(t.firstLine.start, t.firstLine.start);
    if (t.status !== 'done' && facts.connected) lenses.push({ range, title: '▶ Run agent', command: { id: LensCommand.runAgent, arguments: [uri, t.id] } });
    if (t.status !== 'done') lenses.push({ range, title: '✓ Done', command: { id: LensCommand.edit, arguments: [uri, t.id, { action: 'done' }] } });
    const summary = taskSummary(t, facts);
    if (summary !== '') lenses.push({ range, title: summary });
  }
  return lenses;
}

/** "in progress by alice · $0.42 over 2 runs": the task's state, who has it, what it cost. */
export function taskSummary(t: Task, facts: BoardFacts): string {
  const runs = facts.runs.get(t.id) ?? [];
  const cost = facts.costs.get(t.id);
  const parts: string[] = [];
  const who = t.assignees.length > 0 ? ` by ${t.assignees.join(', ')}` : '';
  if (who !== '' || runs.length > 0 || cost !== undefined) parts.push(`${t.status === 'other' ? (t.otherStatus ?? 'other') : WORD_FOR[t.status]}${who}`);
  if (runs.length > 0 || cost !== undefined) parts.push(`${cost === undefined ? 'cost unknown' : usd(cost)} over ${runs.length} run${runs.length === 1 ? '' : 's'}`);
  const running = runs.filter((r) => r.outcome === null).length;
  if (running > 0) parts.push(`${running} running`);
  return parts.join(' · ');
}
