import * as vscode from 'vscode';
import { UsageAlertRaised, UsageAlerts, type UsageAlert } from '../server/protocol';
import type { Ctx } from './ctx';
import { describeError } from './errors';

/**
 * `usage/alert` as a VS Code notification (critical ones as errors) with an Acknowledge action
 * (`usage/alerts` with `ack`: the daemon then raises it no more) and one that opens the usage page.
 * Each alert is shown once per window.
 */
export class UsageAlertNotifications implements vscode.Disposable {
  private readonly shown = new Set<number>();
  private readonly shownEmitter = new vscode.EventEmitter<UsageAlert>();
  /** An alert was put up as a notification (for tests: the notification itself cannot be read). */
  readonly onDidShow = this.shownEmitter.event;
  private readonly bag: vscode.Disposable[] = [this.shownEmitter];

  constructor(private readonly ctx: Ctx) {
    this.bag.push(ctx.notifications.on(UsageAlertRaised, (alert) => void this.show(alert)));
  }

  /** Shows the alert unless this window did already; resolves with the action taken. */
  async show(alert: UsageAlert): Promise<'acknowledged' | 'usage' | undefined> {
    if (alert.ackedAt !== null || this.shown.has(alert.id)) return undefined;
    this.shown.add(alert.id);
    const show = alert.severity === 'critical' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const shown = show(`Corral usage alert: ${alert.message}`, 'Acknowledge', 'Show Usage');
    this.shownEmitter.fire(alert);
    const choice = await shown;
    if (choice === 'Show Usage') {
      await vscode.commands.executeCommand('corral.openUsage');
      return 'usage';
    }
    if (choice !== 'Acknowledge') return undefined;
    try {
      await this.acknowledge(alert);
      return 'acknowledged';
    } catch (error) {
      void vscode.window.showErrorMessage(`Corral: could not acknowledge the alert: ${describeError(error)}`);
      return undefined;
    }
  }

  /** The notification's Acknowledge: `usage/alerts` with `ack`; the daemon raises it no more. */
  async acknowledge(alert: UsageAlert): Promise<void> {
    await this.ctx.requireConnection().rpc.sendRequest(UsageAlerts, { ack: alert.id });
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }
}
