import * as vscode from 'vscode';
import type { RunOutcome } from '../../server/protocol';
import { formatUsd } from '../sessions/present';
import type { RunStep, RunView } from './runsModel';

/** A run, or one of its watched steps, in a tree. */
export type RunNode = { kind: 'run'; runId: string } | { kind: 'step'; runId: string; step: number };

const OUTCOME_ICONS: Record<RunOutcome | 'running', [icon: string, color: string]> = {
  running: ['sync~spin', 'charts.blue'],
  finished: ['pass-filled', 'charts.green'],
  stopped: ['debug-stop', 'disabledForeground'],
  max_steps: ['warning', 'list.warningForeground'],
  timeout: ['watch', 'list.warningForeground'],
  budget: ['credit-card', 'list.warningForeground'],
  error: ['error', 'errorForeground'],
  interrupted: ['debug-disconnect', 'list.warningForeground'],
};

export function runLabel(run: RunView): string {
  const goal = run.goal.split('\n')[0] ?? '';
  const text = run.task ? `${run.task} ${goal.replace(/^Work on task \S+ of the task board \S+: /, '')}` : goal;
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** `step 3 · 2.1K tok · $0.02 · 41s · finished`: what the Runs view's issue asks a run to show. */
export function runDescription(run: RunView, now: number = Date.now()): string {
  const parts = [`step ${run.steps}`];
  if (run.tokens !== null) parts.push(`${compact(run.tokens)} tok`);
  if (run.costUsd !== null && run.costUsd > 0) parts.push(formatUsd(run.costUsd));
  parts.push(elapsed(run, now));
  parts.push(run.outcome ?? 'running');
  return parts.join(' · ');
}

export function runItem(run: RunView, now: number = Date.now()): vscode.TreeItem {
  const item = new vscode.TreeItem(runLabel(run), run.watched.length > 0 || run.steps > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `run:${run.runId}`;
  const [icon, color] = OUTCOME_ICONS[run.outcome ?? 'running'];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  item.description = runDescription(run, now);
  item.contextValue = `run:${run.outcome ?? 'running'}`;
  item.tooltip = runTooltip(run);
  item.accessibilityInformation = { label: `Agent run ${runLabel(run)}, ${item.description}` };
  item.command = { command: 'corral.runs.openTranscript', title: 'Open Transcript', arguments: [{ kind: 'run', runId: run.runId } satisfies RunNode] };
  return item;
}

/** `3 · edit_file calc.py ✓, shell python3 test.py ✓`: a step's tool calls and their results in brief. */
export function stepItem(run: RunView, step: RunStep): vscode.TreeItem {
  const tools = step.tools.map((tool) => `${tool.name} ${briefArguments(tool.arguments)} ${tool.ok ? '→' : '✗'} ${brief(tool.result)}`);
  const label = tools.length > 0 ? tools.join(' · ') : brief(step.text) || '(no text)';
  const item = new vscode.TreeItem(`${step.step}. ${label}`, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${run.runId}:${step.step}`;
  const failed = step.tools.some((tool) => !tool.ok);
  item.iconPath = new vscode.ThemeIcon(step.tools.length === 0 ? 'comment' : failed ? 'close' : 'check', failed ? new vscode.ThemeColor('errorForeground') : undefined);
  item.description = step.text ? brief(step.text) : undefined;
  const md = new vscode.MarkdownString();
  if (step.text) md.appendText(`${step.text}\n\n`);
  for (const tool of step.tools) md.appendCodeblock(`${tool.name} ${tool.arguments}\n${tool.ok ? '→' : '✗'} ${tool.result}`, 'text');
  for (const note of step.notes) md.appendText(`note: ${note}\n`);
  item.tooltip = md;
  item.contextValue = 'runStep';
  item.command = { command: 'corral.runs.openTranscript', title: 'Open Transcript', arguments: [{ kind: 'step', runId: run.runId, step: step.step } satisfies RunNode] };
  return item;
}

function runTooltip(run: RunView): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${run.goal.slice(0, 300)}\n\n`);
  const rows: [string, string][] = [
    ['Run', run.runId],
    ['Session', run.sessionId],
    ['Model', `${run.provider}/${run.model}`],
    ['Outcome', run.outcome ?? 'running'],
    ['Steps', String(run.steps)],
    ['Tokens', run.tokens === null ? '—' : run.tokens.toLocaleString('en-US')],
    ['Cost', run.costUsd === null ? '—' : formatUsd(run.costUsd)],
  ];
  if (run.summary) rows.push(['Summary', run.summary.slice(0, 300)]);
  if (run.error) rows.push(['Error', `${run.error.message}. ${run.error.hint}`]);
  md.appendMarkdown('| | |\n|---|---|\n');
  for (const [key, value] of rows) md.appendMarkdown(`| ${key} | ${value.replace(/[|\\`*_[\]<>]/g, '\\$&').replace(/\n/g, ' ')} |\n`);
  return md;
}

export function elapsed(run: RunView, now: number): string {
  const end = run.endedAt === null ? now : Date.parse(run.endedAt);
  const seconds = Math.max(0, Math.round((end - Date.parse(run.startedAt)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function compact(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}K`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** The argument a person reads first (the path, the command, the pattern); the JSON when there is none. */
export function briefArguments(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return brief(json);
  }
  if (typeof parsed === 'object' && parsed !== null) {
    for (const key of ['command', 'path', 'pattern', 'summary', 'note']) {
      const value: unknown = (parsed as Record<string, unknown>)[key];
      if (typeof value === 'string') return brief(value);
    }
  }
  return brief(json);
}

function brief(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
