import * as assert from 'node:assert/strict';
import { Trace, type Tracer } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { PassThrough } from 'node:stream';
import { traceLine } from '../../extension/traceRedaction';
import { ProviderKeys, ProviderSetKey } from '../../server/protocol';

/**
 * The extension's verbose JSON-RPC trace goes to its output channel (and VS Code's log files): a
 * key handed over provider/setKey must not appear there. Real vscode-jsonrpc connections over a
 * pipe produce the trace lines, so a change in the library's wording makes this fail.
 */
describe('the extension trace hides provider/setKey params', () => {
  it('logs every message, with data, but never the key', async () => {
    const up = new PassThrough();
    const down = new PassThrough();
    const client = createMessageConnection(down, up);
    const server = createMessageConnection(up, down);
    server.onRequest(ProviderSetKey.method, () => ({ providers: ['openai'] }));
    server.onRequest(ProviderKeys.method, () => ({ providers: ['openai'] }));
    server.listen();
    const lines: string[] = [];
    const tracer: Tracer = { log: (message: string | unknown, data?: string) => lines.push(traceLine(String(message), data)) };
    client.listen();
    await client.trace(Trace.Verbose, tracer);
    const key = 'sk-trace-5e1a9c0b7d3f42e8';
    try {
      await client.sendRequest(ProviderSetKey, { provider: 'openai', key });
      await client.sendRequest(ProviderKeys, {});
    } finally {
      client.dispose();
      server.dispose();
    }
    const text = lines.join('\n');
    assert.ok(!text.includes(key), text);
    assert.match(text, /Sending request 'provider\/setKey - \(\d+\)'\.\n\(params hidden/);
    // Other messages keep their data: the trace is still useful.
    assert.match(text, /Received response 'provider\/keys - \(\d+\)' in \d+ms\.\nResult: \{/);
  });
});
