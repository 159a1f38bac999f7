import * as vscode from 'vscode';
import { resolveHome } from '../server/protocol/paths';

export type TraceLevel = 'off' | 'messages' | 'verbose';

/**
 * Typed view of `contributes.configuration` (`corral.*`). Read on every use, so a change applies
 * at once, except the keys in `reconnectKeys` (the daemon's home decides which daemon we talk to).
 */
export class Config {
  static readonly section = 'corral';
  /** Settings that take effect only after reconnecting (the extension reconnects by itself). */
  static readonly reconnectKeys = ['corral.home'] as const;

  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Config.section);
  }

  /** `corral.home`, else `$CORRAL_HOME`, else `~/.corral`. */
  get home(): string {
    const configured = this.raw.get<string>('home', '');
    return configured.length > 0 ? resolveHome({ CORRAL_HOME: configured }) : resolveHome();
  }

  /** Default provider and model for agent runs; empty: the daemon's own defaults. */
  get provider(): string | undefined {
    return nonEmpty(this.raw.get<string>('provider', ''));
  }

  get model(): string | undefined {
    return nonEmpty(this.raw.get<string>('model', ''));
  }

  /** Image for new sessions; empty: the daemon's configured image. */
  get image(): string | undefined {
    return nonEmpty(this.raw.get<string>('image', ''));
  }

  /** Limits for new sessions, within the admin's maxima; 0 means the daemon's default. */
  get limits(): { memoryMb?: number; cpus?: number; pids?: number } {
    const limits: { memoryMb?: number; cpus?: number; pids?: number } = {};
    const memoryMb = this.raw.get<number>('limits.memoryMb', 0);
    const cpus = this.raw.get<number>('limits.cpus', 0);
    const pids = this.raw.get<number>('limits.pids', 0);
    if (memoryMb > 0) limits.memoryMb = memoryMb;
    if (cpus > 0) limits.cpus = cpus;
    if (pids > 0) limits.pids = Math.floor(pids);
    return limits;
  }

  /** Budget of one agent run in US dollars; 0: the daemon's budgets only. */
  get runBudgetUsd(): number {
    return Math.max(0, this.raw.get<number>('budget.perRunUsd', 0));
  }

  /** Board files looked for in each workspace folder, relative to the folder, first found wins. */
  get boardFiles(): string[] {
    const files = this.raw.get<string[]>('boardFiles', ['docs/TASKS.md', 'TASKS.md']).filter((file) => file.trim().length > 0);
    return files.length > 0 ? files : ['docs/TASKS.md', 'TASKS.md'];
  }

  get trace(): TraceLevel {
    const value = this.raw.get<string>('trace', 'off');
    return value === 'messages' || value === 'verbose' ? value : 'off';
  }
}

function nonEmpty(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}
