import * as vscode from 'vscode';
import { formatUsd } from '../sessions/present';
import { elapsed } from './present';
import type { RunView } from './runsModel';
import type { RunsModel } from './runsModel';

/** Read-only documents `corral-run:/<runId>.md`: a run's transcript as this window watched it. */
export const TRANSCRIPT_SCHEME = 'corral-run';

export function transcriptUri(runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: TRANSCRIPT_SCHEME, path: `/run-${runId}.md` });
}

/** Serves transcripts and refreshes an open one as its run goes on. */
export class Transcripts implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly bag: vscode.Disposable[] = [this.changed];

  constructor(private readonly runs: RunsModel) {
    this.bag.push(
      vscode.workspace.registerTextDocumentContentProvider(TRANSCRIPT_SCHEME, this),
      runs.onDidChange((run) => {
        const open = vscode.workspace.textDocuments.filter((doc) => doc.uri.scheme === TRANSCRIPT_SCHEME && (run === undefined || doc.uri.path === transcriptUri(run.runId).path));
        for (const doc of open) this.changed.fire(doc.uri);
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const runId = /^\/run-([0-9a-f]+)\.md$/.exec(uri.path)?.[1];
    const run = runId === undefined ? undefined : await this.runs.loadSteps(runId);
    if (!run) return `# Unknown run\n\nNo run ${runId ?? uri.path} is known to this window; \`corral run --list\` lists your runs.\n`;
    return transcript(run);
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }
}

/** Markdown: the goal, each watched step (the model's text, tool calls and results), the end. */
export function transcript(run: RunView, now: number = Date.now()): string {
  const lines = [
    `# Agent run ${run.runId}`,
    '',
    `- Session: ${run.sessionId}`,
    `- Model: ${run.provider}/${run.model}`,
    `- Outcome: ${run.outcome ?? 'running'} after ${run.steps} step(s), ${elapsed(run, now)}`,
    `- Tokens: ${run.tokens === null ? '—' : run.tokens.toLocaleString('en-US')} · Cost: ${run.costUsd === null ? '—' : formatUsd(run.costUsd)}`,
    '',
    '## Goal',
    '',
    run.goal,
    '',
  ];
  if (run.watched.length === 0) lines.push('_No steps yet._', '');
  for (const step of run.watched) {
    lines.push(`## Step ${step.step}${step.costUsd !== null && step.costUsd > 0 ? ` (${formatUsd(step.costUsd)})` : ''}`, '');
    if (step.text) lines.push(step.text, '');
    for (const tool of step.tools) lines.push('```text', `${tool.ok ? '✓' : '✗'} ${tool.name} ${tool.arguments}`, `→ ${tool.result}`, '```', '');
    for (const note of step.notes) lines.push(`> note: ${note}`, '');
  }
  for (const warning of run.warnings) lines.push(`> ⚠ ${warning}`, '');
  if (run.outcome !== null) {
    lines.push('## End', '', `${run.outcome}: ${run.summary ?? ''}`);
    if (run.error) lines.push('', `${run.error.message}. ${run.error.hint}`);
    lines.push('');
  }
  return lines.join('\n');
}
