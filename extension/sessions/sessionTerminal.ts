import * as vscode from 'vscode';
import { AttachClose, AttachClosedNotification, AttachInput, AttachOpen, AttachOutputNotification, AttachResize, SessionChanged } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';

/** Resizes come in bursts while a panel is dragged; the jail's TTY needs only the last one. */
const RESIZE_DEBOUNCE_MS = 80;

/**
 * A VS Code terminal bridged to an interactive shell on a TTY in the session's jail (`attach/*`).
 * ANSI passes through untouched. Closing the terminal detaches; the session keeps running. The
 * session removed or the daemon gone: the terminal says so and ends with an exit code.
 */
export class SessionTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private attachId: string | undefined;
  private readonly bag: vscode.Disposable[] = [this.written, this.closed];
  /** Keystrokes go out one request after another, so they reach the TTY in order; the first ones wait for the TTY to open. */
  private inputChain: Promise<unknown>;
  private markOpened: () => void = () => undefined;
  private resizeTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly sessionId: string,
    private readonly label: string,
  ) {
    this.inputChain = new Promise<void>((resolve) => (this.markOpened = resolve));
  }

  async open(dimensions: vscode.TerminalDimensions | undefined): Promise<void> {
    const connection = this.ctx.connection;
    if (!connection) {
      this.markOpened();
      return this.end(1, 'not connected to the Corral daemon');
    }
    this.bag.push(
      this.ctx.notifications.on(AttachOutputNotification, (output) => {
        if (output.attachId === this.attachId) this.written.fire(output.data);
      }),
      this.ctx.notifications.on(AttachClosedNotification, (event) => {
        if (event.attachId === this.attachId) this.end(event.exitCode, `the shell exited (${event.exitCode})`);
      }),
      this.ctx.notifications.on(SessionChanged, (session) => {
        if (session.id === this.sessionId && (session.state === 'removed' || session.state === 'stopped')) this.end(1, `session ${this.label} was ${session.state}`);
      }),
    );
    void connection.closed.then(() => this.end(1, 'the Corral daemon went away'));
    try {
      const { attachId } = await connection.rpc.sendRequest(AttachOpen, {
        session: this.sessionId,
        rows: clamp(dimensions?.rows ?? 24),
        cols: clamp(dimensions?.columns ?? 80),
      });
      this.attachId = attachId;
    } catch (error) {
      this.end(1, describeError(error));
    } finally {
      this.markOpened();
    }
  }

  handleInput(data: string): void {
    if (this.ended) return;
    this.inputChain = this.inputChain
      .then(() => {
        const attachId = this.attachId;
        const connection = this.ctx.connection;
        if (attachId && connection && !this.ended) return connection.rpc.sendRequest(AttachInput, { attachId, data });
        return undefined;
      })
      .catch(() => undefined);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      const attachId = this.attachId;
      const connection = this.ctx.connection;
      if (attachId && connection && !this.ended) {
        void connection.rpc.sendRequest(AttachResize, { attachId, rows: clamp(dimensions.rows), cols: clamp(dimensions.columns) }).catch(() => undefined);
      }
    }, RESIZE_DEBOUNCE_MS);
  }

  /** The user closed the terminal: detach only. */
  close(): void {
    const attachId = this.attachId;
    const connection = this.ctx.connection;
    if (attachId && connection && !this.ended) void connection.rpc.sendRequest(AttachClose, { attachId }).catch(() => undefined);
    this.ended = true;
    this.dispose();
  }

  private end(exitCode: number, why: string): void {
    if (this.ended) return;
    this.ended = true;
    this.written.fire(`\r\n\x1b[2m[Corral: ${why}]\x1b[0m\r\n`);
    this.closed.fire(exitCode);
    this.dispose();
  }

  private dispose(): void {
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    // The emitters go last: the close event above must reach VS Code first.
    const bag = this.bag.splice(0);
    setTimeout(() => bag.forEach((disposable) => disposable.dispose()), 0);
  }
}

function clamp(size: number): number {
  return Math.max(1, Math.min(1000, Math.floor(size)));
}

/** Opens a terminal on the session; `corral.session.openTerminal` and the terminal profile use it. */
export function sessionTerminalOptions(ctx: Ctx, sessionId: string, label: string): vscode.ExtensionTerminalOptions {
  return { name: `Corral: ${label}`, pty: new SessionTerminal(ctx, sessionId, label), iconPath: new vscode.ThemeIcon('shield') };
}
