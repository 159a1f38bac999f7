// Floor for RPC benchmarks: the same JSON-RPC stack on a Unix socket with nothing behind it
// (no hello, no validation, no store). Prints "ready" when listening.
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const { createMessageConnection, SocketMessageReader, SocketMessageWriter } = require('vscode-jsonrpc/node');

const socketPath = process.argv[2];
fs.rmSync(socketPath, { force: true });
net
  .createServer((socket) => {
    const rpc = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    rpc.onRequest((_method, params) => params ?? null);
    socket.on('error', () => undefined);
    rpc.listen();
  })
  .listen(socketPath, () => process.stdout.write('ready\n'));
