import * as vscode from 'vscode';
import { Trace } from 'vscode-jsonrpc';
import { DaemonStatusRequest } from '../server/protocol';
import { ApiKeys, registerSetApiKey } from './apiKeys';
import type { DaemonConnection } from '../server/protocol/client';
import { ensureDaemon } from '../server/protocol/launch';
import { reconnectDelayMs } from './backoff';
import { Config } from './config';
import { describeError } from './errors';
import { Notifications } from './notifications';
import { traceLine } from './traceRedaction';

/** Longer than the 15 s the daemon gets to start: only a daemon that never answers hits it. */
const CONNECT_TIMEOUT_MS = 25_000;

/** Connection state, shown in the status bar. */
export type ConnectionState =
  { kind: 'connecting'; attempt: number } | { kind: 'connected'; connection: DaemonConnection } | { kind: 'waiting'; attempt: number; retryInMs: number; message: string };

/** Handed to views on every (re)connection; what they register there ends with the connection. */
export interface Connected {
  connection: DaemonConnection;
  bag: vscode.Disposable[];
}

/**
 * Owns the daemon connection and two disposable bags: one for the extension's lifetime, one for
 * the current connection (emptied on reconnect). When the daemon goes away it reconnects with
 * backoff — starting the bundled daemon if none answers — and tells the views to resynchronise.
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  readonly log = vscode.window.createOutputChannel('Corral', { log: true });
  /** Listeners for the daemon's notifications; they stay registered across reconnections. */
  readonly notifications = new Notifications();
  private readonly extensionBag: vscode.Disposable[] = [];
  private connectionBag: vscode.Disposable[] = [];
  private state: ConnectionState = { kind: 'connecting', attempt: 0 };
  /** Bumped by every start; a connection that completes for an older generation is dropped. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly statusItem = vscode.window.createStatusBarItem('corral.connection', vscode.StatusBarAlignment.Left, 10);
  private readonly connectedEmitter = new vscode.EventEmitter<Connected>();
  private readonly stateEmitter = new vscode.EventEmitter<ConnectionState>();
  /** Fires on every new connection, after the first one too: views list everything again. */
  readonly onDidConnect = this.connectedEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  readonly apiKeys: ApiKeys;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.statusItem.name = 'Corral connection';
    this.statusItem.command = 'corral.showStatus';
    this.apiKeys = new ApiKeys(extension.secrets);
    this.extensionBag.push(
      registerSetApiKey(this.apiKeys, () => this.connection),
      this.log,
      this.statusItem,
      this.connectedEmitter,
      this.stateEmitter,
      vscode.commands.registerCommand('corral.showStatus', () => this.showStatus()),
      vscode.commands.registerCommand('corral.reconnect', () => this.start()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (Config.reconnectKeys.some((key) => event.affectsConfiguration(key))) void this.start();
      }),
    );
    this.render();
    this.statusItem.show();
  }

  /** The live connection, if any; other parts of the extension call the daemon through it. */
  get connection(): DaemonConnection | undefined {
    return this.state.kind === 'connected' ? this.state.connection : undefined;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The live connection, or an error the caller shows: commands need one. */
  requireConnection(): DaemonConnection {
    const connection = this.connection;
    if (!connection) throw new Error('not connected to the Corral daemon (it is being restarted); try again in a moment');
    return connection;
  }

  /** Adds a listener and calls it at once when already connected. */
  whenConnected(listener: (connected: Connected) => void): vscode.Disposable {
    const connection = this.connection;
    if (connection) listener({ connection, bag: this.connectionBag });
    return this.onDidConnect(listener);
  }

  /** Connects now (again), dropping the current connection. Never throws: failures are retried. */
  async start(attempt = 0): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.clearRetry();
    this.disposeConnection();
    this.setState({ kind: 'connecting', attempt });
    try {
      const connecting = ensureDaemon({
        home: this.config.home,
        env: process.env,
        serverScript: this.extension.asAbsolutePath('dist/server.js'),
        execPath: process.execPath,
        client: { kind: 'vscode', name: 'corral-vscode', version: String(this.extension.extension.packageJSON.version) },
        onStart: () => this.log.info(`no daemon answered in ${this.config.home}: starting the bundled one`),
      });
      // A daemon that accepts but never answers `corral/hello` (frozen, stopped) must not stall
      // the extension: give up on this attempt, drop the late connection, and retry.
      let timer: NodeJS.Timeout | undefined;
      const connection = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            void connecting.then(
              (late) => late.dispose(),
              () => undefined,
            );
            reject(new Error(`the daemon did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
          }, CONNECT_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      if (generation !== this.generation || this.disposed) {
        connection.dispose();
        return;
      }
      // A daemon keeps handed keys in memory only: a new or restarted one gets them again here,
      // before the views (and any run they start) see the connection.
      await this.handKeys(connection);
      if (generation !== this.generation || this.disposed) {
        connection.dispose();
        return;
      }
      this.traceMessages(connection);
      this.connectionBag.push({ dispose: () => connection.dispose() });
      this.notifications.attach(connection, this.connectionBag);
      void connection.closed.then(() => {
        if (this.connection !== connection) return;
        this.log.warn('the daemon closed the connection; reconnecting');
        this.scheduleRetry(0, 'the daemon closed the connection');
      });
      this.setState({ kind: 'connected', connection });
      this.log.info(`connected to the daemon ${connection.hello.serverVersion} as ${connection.hello.identity.user}`);
      this.connectedEmitter.fire({ connection, bag: this.connectionBag });
    } catch (error) {
      if (generation !== this.generation) return;
      const message = describeError(error);
      this.log.error(`could not connect: ${message}`);
      this.scheduleRetry(attempt + 1, message);
    }
  }

  /** Hands the stored provider keys; a refusal is logged (names only) and the connection goes on without them. */
  private async handKeys(connection: DaemonConnection): Promise<void> {
    try {
      const handed = await this.apiKeys.handTo(connection);
      if (handed.length > 0) this.log.info(`handed the daemon the API keys of ${handed.join(', ')}`);
    } catch (error) {
      this.log.warn(`could not hand the API keys to the daemon: ${describeError(error)}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    this.disposeConnection();
    for (const disposable of this.extensionBag.splice(0)) disposable.dispose();
  }

  private scheduleRetry(attempt: number, message: string): void {
    if (this.disposed) return;
    this.disposeConnection();
    const retryInMs = reconnectDelayMs(attempt);
    this.setState({ kind: 'waiting', attempt, retryInMs, message });
    this.clearRetry();
    this.retryTimer = setTimeout(() => void this.start(attempt), retryInMs);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private disposeConnection(): void {
    for (const disposable of this.connectionBag.splice(0)) disposable.dispose();
  }

  private traceMessages(connection: DaemonConnection): void {
    const level = this.config.trace;
    if (level === 'off') return;
    void connection.rpc.trace(level === 'verbose' ? Trace.Verbose : Trace.Messages, {
      // Never the params of provider/setKey: the output channel is also a log file.
      log: (message: string, data?: string) => this.log.trace(traceLine(message, data)),
    });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.render();
    this.stateEmitter.fire(state);
  }

  private render(): void {
    const state = this.state;
    this.statusItem.backgroundColor = undefined;
    // Connected, a click shows the usage page (issue 15); otherwise the connection's details.
    this.statusItem.command = state.kind === 'connected' ? 'corral.openUsage' : 'corral.showStatus';
    switch (state.kind) {
      case 'connecting':
        this.statusItem.text = '$(sync~spin) Corral';
        this.statusItem.tooltip = 'Connecting to the Corral daemon…';
        break;
      case 'connected':
        this.statusItem.text = '$(shield) Corral';
        this.statusItem.tooltip = `Connected as ${state.connection.hello.identity.user} (daemon ${state.connection.hello.serverVersion}). Click for usage.`;
        break;
      case 'waiting':
        this.statusItem.text = '$(debug-disconnect) Corral';
        this.statusItem.tooltip = `Not connected: ${state.message}. Retrying in ${Math.ceil(state.retryInMs / 1000)} s (attempt ${state.attempt}). Click for details.`;
        this.statusItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
    }
  }

  private async showStatus(): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      const message = this.state.kind === 'waiting' ? this.state.message : 'still connecting';
      const choice = await vscode.window.showErrorMessage(`Corral: not connected (${message}).`, 'Reconnect', 'Show Log');
      if (choice === 'Reconnect') await this.start();
      if (choice === 'Show Log') this.log.show();
      return;
    }
    const status = await connection.rpc.sendRequest(DaemonStatusRequest, {});
    void vscode.window.showInformationMessage(
      `Corral daemon ${status.version} (pid ${status.pid}) serving ${status.home}: ${status.connections} client(s), ${status.store.lastSeq} writes.`,
    );
  }
}
