import * as vscode from 'vscode';
import { UsageChanged, UsageForecast, UsageQuery, type UsageReport } from '../server/protocol';
import type { Ctx } from './ctx';
import { describeError } from './errors';
import { formatUsd } from './sessions/present';

/** Budget shares where the item turns to the theme's warning and error backgrounds. */
const WARN_SHARE = 0.8;
const ERROR_SHARE = 1;

/** What the item shows: today's spend, by model, against the daily budget (if any). */
export interface TodayUsage {
  costUsd: number;
  /** From config.json's `budgets.dayUsd`; null: no daily budget. */
  budgetUsd: number | null;
  byModel: UsageReport['rows'];
  unpricedCalls: number;
}

/**
 * The status bar's spend item, beside the connection item: today's cost and its share of the
 * daily budget (warning background at 80 %, error at 100 %), the breakdown by model in the
 * tooltip; a click opens the usage page. Read again on `usage/changed` and on every connection;
 * hidden while disconnected.
 */
export class UsageStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('corral.usage', vscode.StatusBarAlignment.Left, 9);
  private readonly changedEmitter = new vscode.EventEmitter<TodayUsage | undefined>();
  /** The item was drawn again (for tests). */
  readonly onDidChange = this.changedEmitter.event;
  private readonly bag: vscode.Disposable[] = [this.item, this.changedEmitter];
  private today: TodayUsage | undefined;
  /** Bumped per refresh: an older answer arriving late is dropped. */
  private generation = 0;

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'Corral spend today';
    this.item.command = 'corral.openUsage';
    this.bag.push(
      ctx.notifications.on(UsageChanged, () => void this.refresh()),
      ctx.whenConnected(() => void this.refresh()),
      ctx.onDidChangeState((state) => {
        if (state.kind !== 'connected') this.item.hide();
      }),
    );
  }

  get usage(): TodayUsage | undefined {
    return this.today;
  }

  async refresh(): Promise<void> {
    const connection = this.ctx.connection;
    if (!connection) return;
    const generation = ++this.generation;
    try {
      const since = startOfToday().toISOString();
      const [report, forecast] = await Promise.all([
        connection.rpc.sendRequest(UsageQuery, { since, by: 'model' }),
        // The budgets come with the forecast; a daemon without it just shows no share.
        connection.rpc.sendRequest(UsageForecast, {}).catch(() => undefined),
      ]);
      if (generation !== this.generation) return;
      this.today = { costUsd: report.total.costUsd, budgetUsd: forecast?.budgets.dayUsd ?? null, byModel: report.rows, unpricedCalls: report.total.unpricedCalls };
      this.render(this.today);
    } catch (error) {
      this.ctx.log.warn(`reading today's usage failed: ${describeError(error)}`);
    }
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private render(today: TodayUsage): void {
    const share = today.budgetUsd === null ? null : today.costUsd / today.budgetUsd;
    this.item.text = `$(pulse) ${formatUsd(today.costUsd)}${share === null ? '' : ` · ${Math.round(share * 100)} %`}`;
    this.item.backgroundColor =
      share === null || share < WARN_SHARE ? undefined : new vscode.ThemeColor(share >= ERROR_SHARE ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.tooltip = tooltip(today, share);
    this.item.accessibilityInformation = {
      label: `Corral: ${formatUsd(today.costUsd)} spent today${share === null ? '' : `, ${Math.round(share * 100)} percent of the daily budget`}`,
    };
    this.item.show();
    this.changedEmitter.fire(today);
  }
}

function tooltip(today: TodayUsage, share: number | null): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Corral today:** ${formatUsd(today.costUsd)}`);
  md.appendMarkdown(today.budgetUsd === null ? ' (no daily budget set)\n\n' : ` of ${formatUsd(today.budgetUsd)} — ${Math.round((share ?? 0) * 100)} % of the daily budget\n\n`);
  if (today.byModel.length > 0) {
    md.appendMarkdown('| Model | Calls | Tokens in / out | Cost |\n|---|---:|---:|---:|\n');
    for (const row of [...today.byModel].sort((a, b) => b.costUsd - a.costUsd)) {
      md.appendMarkdown(
        `| ${row.key.replace(/[|\\`*_]/g, '\\$&')} | ${row.calls} | ${row.inputTokens.toLocaleString('en-US')} / ${row.outputTokens.toLocaleString('en-US')} | ${row.unpricedCalls > 0 ? 'unknown' : formatUsd(row.costUsd)} |\n`,
      );
    }
  } else {
    md.appendMarkdown('No model calls today.\n');
  }
  if (today.unpricedCalls > 0) md.appendMarkdown(`\n${today.unpricedCalls} call(s) of models with no known price are not in the total.\n`);
  md.appendMarkdown('\nClick for the usage page.');
  return md;
}

/** Local midnight: "today" as the person at the keyboard means it. */
function startOfToday(now: Date = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}
