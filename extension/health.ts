import * as vscode from 'vscode';
import { DaemonDoctor, ImageBuild, ImageProgress, type Check } from '../server/protocol';
import type { DaemonConnection } from '../server/protocol/client';
import type { Ctx } from './ctx';
import { describeError, registerCommand } from './errors';

/** Failed connection attempts in a row before the outage is worth a notification. */
const OUTAGE_ATTEMPTS = 3;

/** The context key the Sessions view's welcome message reads when sessions cannot start. */
export const ENGINE_UNAVAILABLE_KEY = 'corral.engineUnavailable';

/** What `corral.doctor` found: the connection, then the daemon's own checks (store, engine, image). */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/**
 * Health of what Corral stands on — the daemon and the Docker engine — told once, with what to
 * do: a notification with "Corral: Doctor" when the daemon cannot be reached after a few attempts
 * or the engine is missing, and a context key so the views show a welcome message instead of one
 * error per refresh.
 */
export class Health implements vscode.Disposable {
  private readonly bag: vscode.Disposable[] = [];
  private outageWarned = false;
  private engineWarned = false;
  /** The last check of the current daemon found no Docker engine (the views' welcome says so). */
  engineUnavailable = false;

  constructor(private readonly ctx: Ctx) {
    this.bag.push(
      ctx.whenConnected(({ connection }) => {
        this.outageWarned = false;
        void this.checkEngine(connection);
      }),
      ctx.onDidChangeState((state) => {
        if (state.kind !== 'waiting' || state.attempt < OUTAGE_ATTEMPTS || this.outageWarned) return;
        this.outageWarned = true;
        void this.offerDoctor(`Corral cannot reach its daemon: ${state.message}`, 'error');
      }),
    );
  }

  /** Every check, as `corral doctor` makes them from the extension's side. */
  async report(): Promise<DoctorReport> {
    const connection = this.ctx.connection;
    const state = this.ctx.connectionState;
    const checks: Check[] = [];
    if (!connection) {
      const detail = state.kind === 'waiting' ? state.message : 'still connecting';
      checks.push({ id: 'daemon', title: 'Daemon', status: 'fail', detail, hint: 'see the Corral output channel; `corral doctor` in a terminal says more' });
    } else {
      checks.push({ id: 'daemon', title: 'Daemon', status: 'ok', detail: `version ${connection.hello.serverVersion}, connected as ${connection.hello.identity.user}` });
      try {
        checks.push(...(await connection.rpc.sendRequest(DaemonDoctor, {})).checks);
      } catch (error) {
        checks.push({ id: 'daemon', title: 'Daemon checks', status: 'fail', detail: describeError(error) });
      }
      await this.setEngineUnavailable(engineDown(checks));
    }
    return { ok: !checks.some((check) => check.status === 'fail'), checks };
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private async checkEngine(connection: DaemonConnection): Promise<void> {
    let checks: Check[];
    try {
      checks = (await connection.rpc.sendRequest(DaemonDoctor, {})).checks;
    } catch (error) {
      this.ctx.log.warn(`daemon/doctor failed: ${describeError(error)}`);
      return;
    }
    const down = engineDown(checks);
    await this.setEngineUnavailable(down);
    const engine = checks.find((check) => check.id === 'docker');
    if (!down || !engine) {
      this.engineWarned = false;
      return;
    }
    this.ctx.log.warn(`no Docker engine: ${engine.detail}`);
    if (this.engineWarned) return;
    this.engineWarned = true;
    await this.offerDoctor(`Corral cannot start sessions: ${engine.detail}. ${engine.hint ?? ''}`.trim(), 'warning');
  }

  private async setEngineUnavailable(down: boolean): Promise<void> {
    this.engineUnavailable = down;
    await vscode.commands.executeCommand('setContext', ENGINE_UNAVAILABLE_KEY, down);
  }

  private async offerDoctor(message: string, level: 'error' | 'warning'): Promise<void> {
    const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(message, 'Corral: Doctor', 'Show Log');
    if (choice === 'Corral: Doctor') await vscode.commands.executeCommand('corral.doctor');
    if (choice === 'Show Log') this.ctx.log.show();
  }
}

function engineDown(checks: readonly Check[]): boolean {
  return checks.some((check) => check.id === 'docker' && check.status === 'fail');
}

const ICONS: Record<Check['status'], string> = { ok: '$(pass)', warn: '$(warning)', fail: '$(error)' };

/**
 * "Corral: Doctor" lists every check (a quick pick: keyboard-first, themed); picking one with a fix
 * copies the fix. The command returns the report at once — the list stays open on its own — so
 * the walkthrough and the tests can read it. "Corral: Build Workspace Image" builds the image
 * sessions need, with its progress in a notification.
 */
export function registerHealthCommands(ctx: Ctx, health: Health): vscode.Disposable[] {
  let open: vscode.QuickPick<vscode.QuickPickItem & { check: Check }> | undefined;
  return [
    { dispose: () => open?.dispose() },
    registerCommand('corral.doctor', async (): Promise<DoctorReport> => {
      const report = await health.report();
      open?.dispose();
      const pick = (open = vscode.window.createQuickPick());
      pick.title = report.ok ? 'Corral: Doctor — everything Corral needs is there' : 'Corral: Doctor — something needs fixing';
      pick.placeholder = 'Pick a check to copy its fix';
      pick.items = report.checks.map((check) => ({
        label: `${ICONS[check.status]} ${check.title}`,
        description: check.status,
        detail: check.hint ? `${check.detail} — fix: ${check.hint}` : check.detail,
        check,
      }));
      pick.onDidAccept(() => {
        const hint = pick.selectedItems[0]?.check.hint;
        pick.hide();
        if (hint) void vscode.env.clipboard.writeText(hint).then(() => vscode.window.showInformationMessage(`Corral: copied the fix — ${hint}`));
      });
      pick.onDidHide(() => pick.dispose());
      pick.show();
      return report;
    }),
    registerCommand('corral.buildImage', async (base?: 'tiny' | 'debian') => {
      const chosen =
        base ??
        (
          await vscode.window.showQuickPick(
            [
              { label: 'debian', description: 'git, bash, python3 — built offline from Debian packages (the daemon needs root)', base: 'debian' as const },
              { label: 'tiny', description: 'busybox only — builds anywhere in seconds', base: 'tiny' as const },
            ],
            { title: 'Corral: Build Workspace Image', placeHolder: 'Which base?' },
          )
        )?.base;
      if (!chosen) return undefined;
      const connection = ctx.requireConnection();
      const built = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Corral: building the ${chosen} image` }, async (progress) => {
        // The daemon sends a build's progress only to the connection that asked for it.
        const listening = ctx.notifications.on(ImageProgress, (line) => progress.report({ message: line.message }));
        try {
          return await connection.rpc.sendRequest(ImageBuild, { base: chosen });
        } finally {
          listening.dispose();
        }
      });
      void vscode.window.showInformationMessage(
        `Corral: ${built.tag} is ready (${Math.round(built.sizeBytes / 1048576)} MB, ${built.source === 'built' ? 'built now' : 'already there'}).`,
      );
      await health.report();
      return built;
    }),
  ];
}
