import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { SessionChanged, SessionPort, SessionPorts, SessionRemove, SessionStart, SessionStop, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { runCli } from '../support/cli';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache, sampleRepo, sh } from '../support/jail';

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('preview ports: a server in the jail reached from the host through the daemon', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let repo: ReturnType<typeof sampleRepo>;
  let session: SessionInfo;

  before(async () => {
    home = tempHome('ports');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_IDLE_PAUSE_S: '0' });
    client = await connect(home.home);
    await ensureImage(client, 'debian');
    repo = sampleRepo({ 'index.html': '<h1>preview from the jail</h1>\n' });
    session = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: DEBIAN });
  });
  after(async () => {
    await client?.rpc.sendRequest(SessionRemove, { session: session.id, purge: true }).catch(() => undefined);
    client?.dispose();
    await daemon?.terminate();
    repo?.cleanup();
    home?.cleanup();
  });

  it('serves a dev server on a jail port at 127.0.0.1:PORT, lists it, and closes it with the session', async () => {
    await sh(client, session.id, 'python3 -m http.server 5173 --bind 127.0.0.1 >/tmp/http.log 2>&1 &');
    // Wait inside the jail until the server listens (a connect loop, not a sleep of the test).
    const ready = await sh(
      client,
      session.id,
      `python3 -c "
import socket, time
for _ in range(200):
    try:
        socket.create_connection(('127.0.0.1', 5173), 0.1).close(); break
    except OSError: time.sleep(0.05)
else: raise SystemExit(1)"`,
    );
    assert.equal(ready.exitCode, 0, ready.stderr);
    const forward = await client.rpc.sendRequest(SessionPort, { session: session.id, port: 5173 });
    assert.equal(forward.host, '127.0.0.1');
    const page = await get(forward.hostPort, '/index.html');
    assert.equal(page.status, 200);
    assert.equal(page.body, '<h1>preview from the jail</h1>\n');
    const again = await Promise.all([get(forward.hostPort, '/index.html'), get(forward.hostPort, '/missing')]);
    assert.deepEqual(
      again.map((r) => r.status),
      [200, 404],
      'several connections, each relayed',
    );
    assert.deepEqual(await client.rpc.sendRequest(SessionPorts, { session: session.id }), [forward]);
    assert.equal((await client.rpc.sendRequest(SessionPort, { session: session.id, port: 5173 })).hostPort, forward.hostPort, 'one listener per port');
    const env = { CORRAL_HOME: home.home };
    assert.equal((await runCli(['port', session.id.slice(0, 6), '5173'], env)).stdout, `127.0.0.1:${forward.hostPort}\n`);
    assert.match((await runCli(['session', 'show', session.id], env)).stdout, new RegExp(`ports +5173 → 127\\.0\\.0\\.1:${forward.hostPort}`));
    const network = await sh(client, session.id, 'ls /sys/class/net');
    assert.equal(network.stdout.trim(), 'lo', 'the jail has no network of its own');

    const stopped = new Promise<void>((resolve) =>
      client.rpc.onNotification(SessionChanged, (s) => {
        if (s.id === session.id && s.state === 'stopped') resolve();
      }),
    );
    await client.rpc.sendRequest(SessionStop, { session: session.id });
    await stopped;
    await assert.rejects(get(forward.hostPort), /ECONNREFUSED/);
  });
});
