import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonStatusRequest, ProviderKeys, TasksUpdate } from '../../server/protocol';
import type { CorralApi } from '../../extension/main';
import { resolveHome } from '../../server/protocol/paths';
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
    // A provider key set with "Corral: Set API Key" (here through its store, the command only asks
    // for it) is handed over provider/setKey on every connection: the new daemon, which starts
    // with no key in memory, gets it again.
    const key = `sk-corral-test-${Math.random().toString(36).slice(2)}`;
    await api.ctx.apiKeys.store('openai', key);
    const states: string[] = [];
    const watching = api.ctx.onDidChangeState((state) => states.push(state.kind));
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor(
        api.ctx.onDidChangeState,
        () => api.ctx.connection !== undefined && api.ctx.connection !== first,
        'a new connection',
        30_000,
        () => states.join(' → '),
      );
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
      const keys = await bounded(outside.rpc.sendRequest(ProviderKeys, {}), 'provider/keys on the new daemon');
      assert.deepEqual(keys.providers, ['openai'], 'the restarted daemon was handed the stored key');
      const environ = fs.readFileSync(`/proc/${status.pid}/environ`, 'utf8');
      assert.ok(!environ.includes(key), 'the key is handed over RPC only, not in the environment of the daemon the extension started');
      assert.deepEqual(filesHolding(resolveHome(), key), [], 'the key is in no file of CORRAL_HOME (config, store, journal, logs)');
      const updated = await bounded(outside.rpc.sendRequest(TasksUpdate, { board, id: 'T-1', action: 'note', text: 'after the crash' }), 'tasks/update');
      await waitFor(
        api.tasks.onDidChangeTreeData,
        () => api.tasks.list()[0]?.state?.version === updated.version,
        'the tree to show the board after an outside note (tasks/changed from the new daemon)',
      );
    } finally {
      outside.dispose();
    }
  });
});

/** Files under `dir` whose bytes contain `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(needle)) found.push(file);
  }
  return found;
}
