import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SessionRemove, SessionShow, SessionStart, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import { bounded, corral, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

describe('jailed terminal (Pseudoterminal over attach/*)', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let session: SessionInfo | undefined;

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    session = await bounded(outside.rpc.sendRequest(SessionStart, { repo: workspaceFolder(), image: IMAGE, name: 'vscode-terminal' }), 'session/start', 60_000);
  });

  after(async () => {
    if (session) await bounded(outside.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }), 'cleanup session/remove').catch(() => undefined);
    outside?.dispose();
  });

  /** Opens a real VS Code terminal on the session; `output()` is everything the jail wrote. */
  function open(name: string): { terminal: vscode.Terminal; output: () => string; written: vscode.Event<string> } {
    const pty = api.sessionTerminal(session!.id, name);
    let output = '';
    pty.onDidWrite((data) => (output += data));
    const terminal = vscode.window.createTerminal({ name, pty });
    return { terminal, output: () => output, written: pty.onDidWrite };
  }

  it('runs what is typed in the jail and shows its output; closing detaches and leaves the session running', async () => {
    const { terminal, output, written } = open('t1');
    terminal.sendText('echo "in the jail: $((6 * 7))"; id -un');
    await waitFor(
      written,
      () => output().includes('in the jail: 42'),
      'the command output in the terminal',
      20_000,
      () => JSON.stringify(output().slice(-300)),
    );
    terminal.dispose();
    const shown = await bounded(outside.rpc.sendRequest(SessionShow, { session: session!.id }), 'session/show');
    assert.equal(shown.session.state, 'ready', 'closing the terminal does not stop the session');
  });

  it('says so and ends with an exit code when the session is removed under it', async () => {
    const { terminal, output, written } = open('t2');
    terminal.sendText('echo ready-for-removal');
    await waitFor(written, () => output().includes('ready-for-removal'), 'the shell to answer', 20_000);
    const closed = new Promise<vscode.Terminal>((resolve) => {
      const subscription = vscode.window.onDidCloseTerminal((gone) => {
        if (gone !== terminal) return;
        subscription.dispose();
        resolve(gone);
      });
    });
    await bounded(outside.rpc.sendRequest(SessionRemove, { session: session!.id }), 'session/remove');
    session = undefined;
    const gone = await bounded(closed, 'the terminal to close', 20_000);
    assert.match(output(), /\[Corral: (session t2 was removed|the shell exited)/);
    assert.ok(gone.exitStatus && gone.exitStatus.code !== 0, `exit status ${JSON.stringify(gone.exitStatus)}`);
  });
});
