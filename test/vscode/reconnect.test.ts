import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DaemonStatusRequest, TasksUpdate } from '../../server/protocol';
import type { CorralApi } from '../../extension/main';
import { bounded, corral, outsideClient, waitFor, workspaceFolder } from './support';

describe('reconnection', () => {
  let api: CorralApi;

  before(async () => {
    api = await corral();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'a connection');
  });

  it('after the daemon is killed with SIGKILL: starts the bundled daemon, reconnects and resynchronises the views', async () => {
    const first = api.ctx.connection!;
    // Requests from this bundle go over our own client: the extension bundles its own copy of
    // vscode-jsonrpc, whose request types are not interchangeable with ours.
    const before = await outsideClient();
    const { pid } = await bounded(before.rpc.sendRequest(DaemonStatusRequest, {}), 'daemon/status').finally(() => before.dispose());
    const states: string[] = [];
    const watching = api.ctx.onDidChangeState((state) => states.push(state.kind));
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection !== undefined && api.ctx.connection !== first, 'a new connection', 30_000, () => states.join(' → '));
    } finally {
      watching.dispose();
    }
    assert.ok(states.includes('waiting'), `the status went through "waiting": ${states.join(' → ')}`);
    // The views listed again, and the board is watched by the new daemon: an outside edit shows.
    const board = path.join(workspaceFolder(), 'docs', 'TASKS.md');
    const outside = await outsideClient();
    try {
      const status = await bounded(outside.rpc.sendRequest(DaemonStatusRequest, {}), 'daemon/status on the new daemon');
      assert.notEqual(status.pid, pid, 'a new daemon serves');
      const updated = await bounded(outside.rpc.sendRequest(TasksUpdate, { board, id: 'T-1', action: 'note', text: 'after the crash' }), 'tasks/update');
      await waitFor(api.tasks.onDidChangeTreeData, () => api.tasks.list()[0]?.state?.version === updated.version, 'the tree to show the board after an outside note (tasks/changed from the new daemon)');
    } finally {
      outside.dispose();
    }
  });
});
