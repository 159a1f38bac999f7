import type { Board, Task } from '../../tasks/board';
import { WORD_FOR } from '../../tasks/status';
import { usd, type BoardFacts } from './facts';
import { taskSummary } from './lenses';

/** A note as the board service writes it: `- 2026-11-20 10:04 alice: handed off to @bob`. */
const NOTE = /^[ \t]*(?:[-*+][ \t]+)?(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2})[ \t]+(\S+?):[ \t]+(.+)$/;

/** The task whose first line holds the offset, else the innermost task around it. */
export function taskAt(board: Board, offset: number): Task | undefined {
  let best: Task | undefined;
  for (const t of board.tasks) {
    if (offset < t.span.start || offset > Math.max(t.span.end, t.firstLine.end)) continue;
    if (offset >= t.firstLine.start && offset <= t.firstLine.end) return t;
    if (!best || t.span.start >= best.span.start) best = t;
  }
  return best;
}

/**
 * A task's history as markdown: its status and people, the notes on the board (events,
 * hand-offs, the agent's progress), and with a daemon its runs (outcome, steps, cost, branch).
 */
export function taskHover(board: Board, task: Task, facts: BoardFacts): string {
  const status = task.status === 'other' ? `${task.otherStatus ?? 'other'} (not a status Corral knows)` : WORD_FOR[task.status];
  const lines = [
    `**${task.explicitId ? task.id : 'task without an id'}** ${escape(task.title)}`,
    '',
    `${status}${task.assignees.length > 0 ? ` · ${task.assignees.map((a) => `@${a}`).join(', ')}` : ''}${task.tags.length > 0 ? ` · ${task.tags.map((t) => `#${t}`).join(' ')}` : ''}`,
  ];
  const summary = taskSummary(task, facts);
  if (summary !== '') lines.push('', summary);
  const runs = facts.runs.get(task.id) ?? [];
  if (runs.length > 0) {
    lines.push('', `**Agent runs** (${runs.length})`, '');
    for (const r of runs.slice(0, 10)) {
      const cost = r.costUsd === undefined ? '' : ` · ${usd(r.costUsd)}`;
      lines.push(
        `- \`${r.runId}\` ${r.outcome ?? 'running'} · ${r.steps} steps${cost} · ${r.model}${r.branch ? ` · branch \`${r.branch}\`` : ''} · ${r.startedAt.slice(0, 16).replace('T', ' ')}`,
      );
    }
    if (runs.length > 10) lines.push(`- … ${runs.length - 10} older`);
  }
  const notes = board.text
    .slice(task.firstLine.end, task.span.end)
    .split('\n')
    .flatMap((line) => {
      const note = NOTE.exec(line.replace(/\r$/, ''));
      return note ? [`- ${note[1]} **${escape(note[2]!)}**: ${escape(note[3]!)}`] : [];
    });
  if (notes.length > 0) lines.push('', `**History on the board** (${notes.length})`, '', ...notes.slice(-15));
  if (!facts.connected) lines.push('', '_No Corral daemon: runs and costs are not shown._');
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}
