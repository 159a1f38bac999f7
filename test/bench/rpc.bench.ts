import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { KvGet, KvPut } from '../../server/protocol';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { percentile, report } from './support/report';

const SEQUENTIAL = 2000;
const CLIENTS = 50;
const PER_CLIENT = 200;

/** Round-trip times (ms) of `count` sequential calls. */
async function timeCalls(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return times;
}

async function echoFloor(socketPath: string): Promise<{ rpc: MessageConnection; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'echoServer.cjs'), socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const socket = net.connect(socketPath);
  await new Promise((resolve) => socket.once('connect', resolve));
  const rpc = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  rpc.listen();
  return { rpc, stop: () => (rpc.dispose(), socket.destroy(), child.kill()) };
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
    const floor = await echoFloor(path.join(home.home, 'echo.sock'));
    await timeCalls(200, () => floor.rpc.sendRequest('echo', { key: 'x' }));
    const floorTimes = await timeCalls(SEQUENTIAL, () => floor.rpc.sendRequest('echo', { key: 'x' }));
    floor.stop();

    const client = await connect(home.home);
    await timeCalls(200, () => client.rpc.sendRequest(KvGet, { key: 'absent' }));
    const one = await timeCalls(SEQUENTIAL, () => client.rpc.sendRequest(KvGet, { key: 'absent' }));
    await client.rpc.sendRequest(KvPut, { key: 'present', value: { n: 1 } });
    assert.deepEqual((await client.rpc.sendRequest(KvGet, { key: 'present' }))?.value, { n: 1 });
    client.dispose();

    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(home.home)));
    const started = performance.now();
    const perClient = await Promise.all(clients.map((c) => timeCalls(PER_CLIENT, () => c.rpc.sendRequest(KvGet, { key: 'absent' }))));
    const elapsed = performance.now() - started;
    for (const c of clients) c.dispose();
    const many = perClient.flat();
    assert.equal(many.length, CLIENTS * PER_CLIENT);

    const p50 = percentile(one, 50);
    report('rpc', [
      { metric: 'round trip p50, 1 client', value: p50, unit: 'ms', floor: { name: 'bare jsonrpc', value: percentile(floorTimes, 50) }, target: { text: '≤ 1 ms', met: p50 <= 1 } },
      { metric: 'round trip p99, 1 client', value: percentile(one, 99), unit: 'ms', floor: { name: 'bare jsonrpc', value: percentile(floorTimes, 99) } },
      { metric: `round trip p50, ${CLIENTS} clients`, value: percentile(many, 50), unit: 'ms' },
      { metric: `round trip p99, ${CLIENTS} clients`, value: percentile(many, 99), unit: 'ms' },
      { metric: `throughput, ${CLIENTS} clients`, value: (many.length / elapsed) * 1000, unit: 'req/s' },
    ]);
  });
});
