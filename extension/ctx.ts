import * as vscode from 'vscode';
import { DaemonStatusRequest } from '../server/protocol';
import type { DaemonConnection } from '../server/protocol/client';
import { ensureDaemon } from '../server/protocol/launch';
import { Config } from './config';

/** Connection state, shown in the status bar. */
type State =
  | { kind: 'connecting' }
  | { kind: 'connected'; connection: DaemonConnection }
  | { kind: 'failed'; message: string };

/**
 * Owns the daemon connection and two disposable bags: one for the extension's lifetime, one for
 * the current connection (emptied on reconnect).
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  private readonly extensionBag: vscode.Disposable[] = [];
  private connectionBag: vscode.Disposable[] = [];
  private state: State = { kind: 'connecting' };
  private readonly statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.statusItem.command = 'corral.showStatus';
    this.extensionBag.push(
      this.statusItem,
      vscode.commands.registerCommand('corral.showStatus', () => this.showStatus()),
      vscode.commands.registerCommand('corral.reconnect', () => this.start()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (Config.reconnectKeys.some((key) => event.affectsConfiguration(key))) void this.start();
      }),
    );
    this.statusItem.show();
  }

  /** The live connection, if any; other parts of the extension call the daemon through it. */
  get connection(): DaemonConnection | undefined {
    return this.state.kind === 'connected' ? this.state.connection : undefined;
  }

  async start(): Promise<void> {
    this.disposeConnection();
    this.setState({ kind: 'connecting' });
    try {
      const connection = await ensureDaemon({
        home: this.config.home,
        serverScript: this.extension.asAbsolutePath('dist/server.js'),
        execPath: process.execPath,
        client: { kind: 'vscode', name: 'corral-vscode', version: String(this.extension.extension.packageJSON.version) },
      });
      this.connectionBag.push({ dispose: () => connection.dispose() });
      void connection.closed.then(() => {
        if (this.connection === connection) this.setState({ kind: 'failed', message: 'the daemon closed the connection' });
      });
      this.setState({ kind: 'connected', connection });
    } catch (error) {
      this.setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  dispose(): void {
    this.disposeConnection();
    for (const disposable of this.extensionBag.splice(0)) disposable.dispose();
  }

  private disposeConnection(): void {
    for (const disposable of this.connectionBag.splice(0)) disposable.dispose();
  }

  private setState(state: State): void {
    this.state = state;
    switch (state.kind) {
      case 'connecting':
        this.statusItem.text = '$(sync~spin) Corral';
        this.statusItem.tooltip = 'Connecting to the Corral daemon…';
        break;
      case 'connected':
        this.statusItem.text = '$(shield) Corral';
        this.statusItem.tooltip = `Connected as ${state.connection.hello.identity.user} (daemon ${state.connection.hello.serverVersion})`;
        break;
      case 'failed':
        this.statusItem.text = '$(error) Corral';
        this.statusItem.tooltip = `Not connected: ${state.message}. Click for details.`;
        break;
    }
  }

  private async showStatus(): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      const message = this.state.kind === 'failed' ? this.state.message : 'still connecting';
      const choice = await vscode.window.showErrorMessage(`Corral: not connected (${message}).`, 'Reconnect');
      if (choice === 'Reconnect') await this.start();
      return;
    }
    const status = await connection.rpc.sendRequest(DaemonStatusRequest, {});
    void vscode.window.showInformationMessage(
      `Corral daemon ${status.version} (pid ${status.pid}) serving ${status.home}: ${status.connections} client(s), ${status.store.lastSeq} writes.`,
    );
  }
}
