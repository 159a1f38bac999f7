import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ResponseError } from 'vscode-jsonrpc';
import { DaemonStatusRequest, ErrorCode, Hello, KvGet, KvPut, PROTOCOL_VERSION } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { RawClient } from '../support/raw';

describe('daemon protocol edge', function () {
  this.timeout(30_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let token: string;

  before(async () => {
    home = tempHome('proto');
    daemon = await startDaemon(home.home, { CORRAL_MAX_IN_FLIGHT: '4' });
    token = fs.readFileSync(homePaths(home.home).token, 'utf8').trim();
  });
  after(async () => {
    await daemon.terminate();
    home.cleanup();
  });

  /** The daemon still answers a fresh, well-behaved client. */
  async function assertHealthy(): Promise<void> {
    const client = await connect(home.home);
    try {
      const status = await client.rpc.sendRequest(DaemonStatusRequest, {});
      assert.equal(status.pid, daemon.pid);
    } finally {
      client.dispose();
    }
  }

  async function hello(raw: RawClient, params: unknown): Promise<Record<string, unknown>> {
    raw.send({ jsonrpc: '2.0', id: 1, method: Hello.method, params });
    return (await raw.next())!;
  }

  const goodHello = (): unknown => ({ protocolVersion: PROTOCOL_VERSION, token, client: { kind: 'test' } });
  const errorOf = (reply: Record<string, unknown>): { code: number; message: string; data: { hint: string } } =>
    reply.error as { code: number; message: string; data: { hint: string } };

  it('serves nothing before hello', async () => {
    const raw = await RawClient.connect(home.home);
    raw.send({ jsonrpc: '2.0', id: 7, method: 'daemon/status', params: {} });
    const error = errorOf((await raw.next())!);
    assert.equal(error.code, ErrorCode.NotAuthenticated);
    assert.match(error.message, /before corral\/hello/);
    assert.match(error.data.hint, /corral\/hello/);
    raw.close();
  });

  it('refuses a bad token and keeps refusing service on that connection', async () => {
    const raw = await RawClient.connect(home.home);
    const error = errorOf(await hello(raw, { protocolVersion: PROTOCOL_VERSION, token: 'f'.repeat(64), client: { kind: 'test' } }));
    assert.equal(error.code, ErrorCode.BadToken);
    assert.match(error.data.hint, /CORRAL_HOME/);
    raw.send({ jsonrpc: '2.0', id: 2, method: 'kv/get', params: { key: 'x' } });
    assert.equal(errorOf((await raw.next())!).code, ErrorCode.NotAuthenticated);
    raw.close();
  });

  it('refuses another protocol version, naming both', async () => {
    const raw = await RawClient.connect(home.home);
    const error = errorOf(await hello(raw, { protocolVersion: PROTOCOL_VERSION + 1, token, client: { kind: 'test' } }));
    assert.equal(error.code, ErrorCode.VersionMismatch);
    assert.match(error.message, new RegExp(`version ${PROTOCOL_VERSION + 1} .* version ${PROTOCOL_VERSION}`));
    raw.close();
  });

  it('validates params against the schema before any handler runs', async () => {
    const raw = await RawClient.connect(home.home);
    assert.ok((await hello(raw, goodHello())).result);
    raw.send({ jsonrpc: '2.0', id: 3, method: 'kv/put', params: { key: '', value: 1, extra: true } });
    const error = errorOf((await raw.next())!);
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.match(error.message, /invalid params for kv\/put/);
    raw.send({ jsonrpc: '2.0', id: 4, method: 'no/such', params: {} });
    assert.equal(errorOf((await raw.next())!).code, -32601);
    raw.send({ jsonrpc: '2.0', id: 5, method: Hello.method, params: goodHello() });
    assert.equal(errorOf((await raw.next())!).code, ErrorCode.AlreadyAuthenticated);
    raw.close();
  });

  it('closes a connection that declares an oversized message, and keeps serving others', async () => {
    const raw = await RawClient.connect(home.home);
    assert.ok((await hello(raw, goodHello())).result);
    raw.socket.write('Content-Length: 999999999\r\n\r\n{"jsonrpc"');
    await raw.closed;
    await assertHealthy();
    assert.match(fs.readFileSync(homePaths(home.home).daemonLog, 'utf8'), /exceeds the limit of/);
  });

  it('closes a connection that sends malformed frames or JSON, and keeps serving others', async () => {
    for (const garbage of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('Content-Length: 12\r\n\r\n{not json!!}'), Buffer.from('Content-Length: abc\r\n\r\n')]) {
      const raw = await RawClient.connect(home.home);
      raw.socket.write(garbage);
      await raw.closed;
      await assertHealthy();
    }
    const log = fs.readFileSync(homePaths(home.home).daemonLog, 'utf8');
    assert.match(log, /malformed Content-Length/);
    assert.match(log, /protocol error/);
  });

  it('bounds the requests in flight on one connection', async () => {
    const client = await connect(home.home);
    try {
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => client.rpc.sendRequest(KvPut, { key: `busy${i}`, value: i })));
      const busy = results.filter((r) => r.status === 'rejected' && (r.reason as ResponseError<unknown>).code === ErrorCode.Busy);
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.ok(busy.length > 0, 'some requests were refused as Busy');
      assert.equal(busy.length + ok.length, 40, 'every other request succeeded');
      assert.ok(ok.length >= 4);
      assert.equal((await client.rpc.sendRequest(KvGet, { key: 'busy0' }))?.value, 0, 'the connection still works');
    } finally {
      client.dispose();
    }
  });

  it('serves 50 concurrent clients, each seeing only its own answers', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => connect(home.home)));
    try {
      await Promise.all(
        clients.map(async (client, c) => {
          for (let i = 0; i < 10; i++) {
            const put = await client.rpc.sendRequest(KvPut, { key: `c${c}`, value: { c, i } });
            assert.equal(put.version, i + 1);
          }
          assert.deepEqual((await client.rpc.sendRequest(KvGet, { key: `c${c}` }))?.value, { c, i: 9 });
        }),
      );
      const status = await clients[0]!.rpc.sendRequest(DaemonStatusRequest, {});
      assert.ok(status.connections >= 50);
    } finally {
      for (const client of clients) client.dispose();
    }
  });
});
