import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionInfo, SessionSummary } from '../../server/protocol';

/** What `session/show` adds for the tooltip, fetched only when the user hovers. */
export interface SessionDetail {
  summary: SessionSummary;
}

/** Codicon and theme colour per state: the colours follow the user's theme. */
const STATE_ICONS: Record<string, [icon: string, color: string | undefined]> = {
  creating: ['loading~spin', 'charts.yellow'],
  ready: ['vm-running', 'charts.green'],
  busy: ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  stopped: ['debug-stop', 'disabledForeground'],
  failed: ['error', 'errorForeground'],
  lost: ['warning', 'list.warningForeground'],
};

export function stateIcon(state: string): vscode.ThemeIcon {
  const [icon, color] = STATE_ICONS[state] ?? ['question', undefined];
  return new vscode.ThemeIcon(icon, color === undefined ? undefined : new vscode.ThemeColor(color));
}

/**
 * `session:<state>[:repo]`: menus match it with `viewItem =~ /^session:(ready|busy)/`, so each
 * state offers only what the daemon will accept in it; `:repo` when there is a diff to review.
 */
export function sessionContextValue(session: SessionInfo): string {
  return `session:${session.state}${session.repo !== null ? ':repo' : ''}`;
}

export function sessionLabel(session: SessionInfo): string {
  const name = session.name ?? session.id.slice(0, 8);
  return session.repo === null ? name : `${name} — ${path.basename(session.repo)}`;
}

/** `state · age · cost`; cost only once the session has spent anything. */
export function sessionDescription(session: SessionInfo, costUsd: number | undefined, now: number = Date.now()): string {
  const parts = [session.state, age(Date.parse(session.createdAt), now)];
  if (costUsd !== undefined && costUsd > 0) parts.push(formatUsd(costUsd));
  return parts.join(' · ');
}

export function sessionTooltip(session: SessionInfo, costUsd: number | undefined, detail?: SessionDetail): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`$(${STATE_ICONS[session.state]?.[0]?.replace('~spin', '') ?? 'question'}) **${escape(session.name ?? session.id)}** — ${escape(session.state)}`);
  if (session.stateReason) md.appendMarkdown(`: ${escape(session.stateReason)}`);
  md.appendMarkdown('\n\n');
  const rows: [string, string][] = [
    ['Session', session.id],
    ['Repository', session.repo ?? '(empty workspace)'],
    ['Branch', session.branch ?? '—'],
    ['Image', session.image],
    ['Started', new Date(session.createdAt).toLocaleString()],
    ['Cost', costUsd === undefined ? '—' : formatUsd(costUsd)],
  ];
  if (detail) {
    const summary = detail.summary;
    rows.push(['Commands', `${summary.commands}, p50 ${ms(summary.p50Ms)}, p95 ${ms(summary.p95Ms)}, errors ${(summary.errorRate * 100).toFixed(0)} %`]);
    rows.push([
      'Peak',
      `${summary.peakMemoryBytes === null ? '—' : `${(summary.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`}, CPU ${summary.peakCpuPercent === null ? '—' : `${summary.peakCpuPercent.toFixed(0)} %`}`,
    ]);
  }
  md.appendMarkdown('| | |\n|---|---|\n');
  for (const [key, value] of rows) md.appendMarkdown(`| ${key} | ${escape(value)} |\n`);
  return md;
}

export function formatUsd(usd: number): string {
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

function age(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
