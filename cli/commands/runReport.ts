import * as path from 'node:path';
import type { RunEvent, RunListEntry, RunSummary } from '../../server/protocol';
import { money, n } from '../numbers';
import { table, type Output } from '../output';

// What `corral run` prints: its steps as they happen, a run's summary, the list of runs.

/** `corral run --list`: newest first; an interrupted run says how to go on. */
export function describeRuns(runs: RunListEntry[]): string {
  if (runs.length === 0) return 'no runs yet: corral run --prompt "…"\n';
  const rows = runs.map((r) => [
    r.runId,
    r.sessionId,
    r.outcome ?? 'running',
    String(r.steps),
    r.startedAt.slice(0, 16).replace('T', ' '),
    (r.task ? `${r.task}: ` : '') + r.goal.split('\n')[0]!.slice(0, 60),
  ]);
  const resumable = runs.find((r) => r.outcome === 'interrupted');
  return `${table([['RUN', 'SESSION', 'OUTCOME', 'STEPS', 'STARTED', 'GOAL'], ...rows])}${resumable ? `go on with an interrupted run: corral run --resume ${resumable.runId}\n` : ''}`;
}

// Set by a run's `started` event: a replayed run's steps cost nothing.
let replaying = false;

/** One line per thing that happened, as it happens. */
export function report(out: Output, runId: string, event: RunEvent): void {
  switch (event.kind) {
    case 'started':
      replaying = event.replay;
      out.line(
        out.paint(
          `run ${runId} · session ${event.sessionId} · ${event.provider}/${event.model}${event.replay ? ' · replay (no model is called)' : ''}${event.resumedAfter === undefined ? '' : ` · resumed after step ${event.resumedAfter}`}`,
          'bold',
        ),
      );
      break;
    case 'model': {
      const cost = replaying ? 'replay' : event.costUsd === null ? 'cost unknown' : money(event.costUsd);
      const said = event.text.trim().split('\n')[0]?.slice(0, 100) ?? '';
      out.line(
        `step ${event.step} ${out.paint(`· model ${(event.latencyMs / 1000).toFixed(1)} s · ${cost}${event.estimated ? ' (estimated)' : ''}`, 'dim')}${said ? ` ${said}` : ''}`,
      );
      break;
    }
    case 'tool': {
      const mark = event.ok ? out.paint('✓', 'green') : out.paint('✗', 'red');
      const result = event.result.trim().split('\n')[0]?.slice(0, 100) ?? '';
      out.line(`  ${mark} ${event.name} ${argumentSummary(event.name, event.arguments)}${result ? out.paint(` → ${result}`, 'dim') : ''}`);
      break;
    }
    case 'note':
      out.line(`  • ${event.text}`);
      break;
    case 'retry':
      out.note(`the provider answered ${event.status}; the SDK retries${event.retryAfterS === null ? '' : ` in ${event.retryAfterS} s`}`);
      break;
    case 'warning':
      out.note(`warning: ${event.text}`);
      break;
    case 'checkpoint':
      // Saved for a resume; nothing for a person to read.
      break;
  }
}

/** The argument that says what a tool call does: the command, the path, the pattern. */
function argumentSummary(tool: string, raw: string): string {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw.slice(0, 80);
  }
  const key = { shell: 'command', search: 'pattern', task_progress: 'note', finish: 'summary' }[tool] ?? 'path';
  const value = typeof args[key] === 'string' ? (args[key] as string) : '';
  return value.split('\n')[0]!.slice(0, 80);
}

/** A run's summary: outcome, steps, tokens, cost, and how to review and take the work. */
export function describe(out: Output, s: RunSummary): string {
  const t = s.tokens;
  const cost = s.replay
    ? 'replay: nothing spent'
    : s.costUsd === null
      ? 'cost unknown (no price for the model)'
      : `${money(s.costUsd)}${s.unpricedCalls > 0 ? ` + ${s.unpricedCalls} unpriced calls` : ''}`;
  const verdict = {
    finished: out.paint('finished', 'green'),
    stopped: out.paint('stopped', 'yellow'),
    max_steps: out.paint('step limit', 'yellow'),
    timeout: out.paint('time limit', 'yellow'),
    budget: out.paint('budget reached', 'red'),
    error: out.paint('failed', 'red'),
    interrupted: out.paint('interrupted', 'yellow'),
  }[s.outcome];
  const lines = [
    '',
    `${verdict} after ${s.steps} step${s.steps === 1 ? '' : 's'} · ${n(t.inputTokens)} tokens in (${n(t.cacheReadTokens)} cached) / ${n(t.outputTokens)} out${t.estimatedCalls > 0 ? ` (${t.estimatedCalls} calls estimated)` : ''} · ${cost}`,
    s.summary,
  ];
  if (s.error) lines.push(`hint: ${s.error.hint}`);
  if (s.task) lines.push(`task ${s.task.id} on ${path.basename(s.task.board)}: ${s.task.status.replace('_', ' ')}`);
  lines.push(`review: ${s.next.diff} · take it: ${s.next.apply}${s.branch ? ` (branch ${s.branch})` : ''}`);
  return `${lines.join('\n')}\n`;
}
