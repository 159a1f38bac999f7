import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { KvGet, KvPut } from '../../server/protocol';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { percentile, report, timeCalls } from './support/report';

const SEQUENTIAL = 2000;
const CLIENTS = 50;
const PER_CLIENT = 200;

/** Connections to a bare JSON-RPC echo server in its own process: the floor. */
async function echoFloor(socketPath: string, count: number): Promise<{ clients: MessageConnection[]; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'echoServer.cjs'), socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const sockets: net.Socket[] = [];
  const clients: MessageConnection[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect(socketPath);
    await new Promise((resolve) => socket.once('connect', resolve));
    const rpc = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    rpc.listen();
    sockets.push(socket);
    clients.push(rpc);
  }
  return {
    clients,
    stop: () => {
      for (const rpc of clients) rpc.dispose();
      for (const socket of sockets) socket.destroy();
      child.kill();
    },
  };
}

/** Per-request times of `clients` connections each making `perClient` sequential calls at once. */
async function concurrent<C>(clients: C[], perClient: number, call: (c: C) => Promise<unknown>): Promise<{ times: number[]; elapsed: number }> {
  const started = performance.now();
  const perConnection = await Promise.all(clients.map((c) => timeCalls(perClient, () => call(c))));
  return { times: perConnection.flat(), elapsed: performance.now() - started };
}

describe('benchmark: RPC round trip', function () {
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  before(async () => {
    home = tempHome('bench');
    daemon = await startDaemon(home.home);
  });
  after(async () => {
    await daemon.terminate();
    home.cleanup();
  });

  it('measures a trivial request with 1 and with 50 concurrent clients, against the bare JSON-RPC stack', async () => {
    const floor = await echoFloor(path.join(home.home, 'echo.sock'), CLIENTS);
    const echo = (c: MessageConnection): Promise<unknown> => c.sendRequest('echo', { key: 'x' });
    await timeCalls(200, () => echo(floor.clients[0]!));
    const floorOne = await timeCalls(SEQUENTIAL, () => echo(floor.clients[0]!));
    const floorMany = await concurrent(floor.clients, PER_CLIENT, echo);
    floor.stop();

    // Unchecked clients: the floor parses nothing, so neither does the measured side.
    const client = await connect(home.home, 'test', { checked: false });
    await timeCalls(200, () => client.rpc.sendRequest(KvGet, { key: 'absent' }));
    const one = await timeCalls(SEQUENTIAL, () => client.rpc.sendRequest(KvGet, { key: 'absent' }));
    await client.rpc.sendRequest(KvPut, { key: 'present', value: { n: 1 } });
    assert.deepEqual((await client.rpc.sendRequest(KvGet, { key: 'present' }))?.value, { n: 1 });
    client.dispose();

    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(home.home, 'test', { checked: false })));
    const many = await concurrent(clients, PER_CLIENT, (c) => c.rpc.sendRequest(KvGet, { key: 'absent' }));
    for (const c of clients) c.dispose();
    assert.equal(many.times.length, CLIENTS * PER_CLIENT);

    const bare = (values: number[], p: number): { name: string; value: number } => ({ name: 'bare jsonrpc', value: percentile(values, p) });
    const p50 = percentile(one, 50);
    const p50many = percentile(many.times, 50);
    report('rpc', [
      { metric: 'round trip p50, 1 client', value: p50, unit: 'ms', floor: bare(floorOne, 50), target: { text: '≤ 1 ms', met: p50 <= 1 } },
      { metric: 'round trip p99, 1 client', value: percentile(one, 99), unit: 'ms', floor: bare(floorOne, 99) },
      { metric: `round trip p50, ${CLIENTS} clients`, value: p50many, unit: 'ms', floor: bare(floorMany.times, 50), target: { text: '≤ 1 ms', met: p50many <= 1 } },
      { metric: `round trip p99, ${CLIENTS} clients`, value: percentile(many.times, 99), unit: 'ms', floor: bare(floorMany.times, 99) },
      {
        metric: `throughput, ${CLIENTS} clients`,
        value: (many.times.length / many.elapsed) * 1000,
        unit: 'req/s',
        floor: { name: 'bare jsonrpc', value: (floorMany.times.length / floorMany.elapsed) * 1000 },
      },
    ]);
  });
});
