import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { corral, EXTENSION_ID, waitFor } from './support';

describe('activation and connection', () => {
  it('activates only on its views, commands, terminal profile and a workspace holding a board', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const events: unknown = extension.packageJSON.activationEvents;
    assert.ok(Array.isArray(events));
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `activation events: ${events.join(', ')}`);
    assert.ok(events.includes('workspaceContains:docs/TASKS.md'));
  });

  it('was activated by the workspace (it holds docs/TASKS.md), without being asked', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    // The extension host activates eager extensions (workspaceContains) before it runs tests.
    assert.ok(extension.isActive, 'workspaceContains:docs/TASKS.md activated the extension');
    const api = await corral();
    console.log(`  activation took ${api.activationMs.toFixed(1)} ms`);
    const results = process.env.CORRAL_VSCODE_RESULTS;
    if (results) fs.writeFileSync(path.join(path.dirname(results), 'vscode-activation.json'), JSON.stringify({ activationMs: api.activationMs }));
  });

  it('connects to the daemon and says so in the status bar', async () => {
    const api = await corral();
    const connection = await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'a connection');
    assert.equal(connection.hello.identity.user.length > 0, true);
    assert.equal(api.ctx.connectionState.kind, 'connected');
  });
});
