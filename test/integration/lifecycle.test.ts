import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DaemonStatusRequest, KvGet, KvPut } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { connect, spawnDaemon, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { until } from '../support/until';

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** Starts `count` daemons at once; waits until all but the winner have exited. */
async function race(home: string, count: number): Promise<{ winner: DaemonProcess; losers: DaemonProcess[] }> {
  const daemons = Array.from({ length: count }, () => spawnDaemon(home));
  const done = new Map<DaemonProcess, number | string>();
  for (const d of daemons) void d.exited.then((code) => done.set(d, code));
  // Losers exit as soon as they fail to take the lock; with a broken lock fewer than count - 1
  // ever exit, and the check below fails after the deadline (no fixed grace period needed).
  await until(() => done.size >= count - 1, { timeoutMs: 15_000 }).catch(() => undefined);
  const alive = daemons.filter((d) => !done.has(d));
  assert.equal(alive.length, 1, `exactly one daemon survives; outputs: ${daemons.map((d) => d.output()).join(' | ')}`);
  const losers = daemons.filter((d) => done.has(d));
  for (const loser of losers) {
    assert.equal(done.get(loser), 0, `a losing starter exits 0: ${loser.output()}`);
    assert.match(loser.output(), /already serves this home/);
  }
  return { winner: alive[0]!, losers };
}

describe('daemon lifecycle', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  const running: DaemonProcess[] = [];
  beforeEach(() => (home = tempHome('life')));
  afterEach(async () => {
    for (const d of running.splice(0)) await d.kill9().catch(() => undefined);
    home.cleanup();
  });

  it('creates a private home: directory 0700, token and socket 0600', async () => {
    running.push(await startDaemon(home.home));
    const paths = homePaths(home.home);
    assert.equal(fs.statSync(paths.home).mode & 0o777, 0o700);
    assert.equal(fs.statSync(paths.token).mode & 0o777, 0o600);
    assert.equal(fs.statSync(paths.socket).mode & 0o777, 0o600);
    assert.equal(fs.statSync(paths.logs).mode & 0o777, 0o700);
  });

  it('ends a race of four starters with exactly one daemon, which serves', async () => {
    const { winner } = await race(home.home, 4);
    running.push(winner);
    assert.equal(fs.readFileSync(homePaths(home.home).lock, 'utf8'), `${winner.pid}\n`);
    await until(() => fs.existsSync(homePaths(home.home).socket), { what: 'the winner to listen' });
    // The socket file appears when it listens; status waits for the store by itself.
    const client = await connect(home.home);
    assert.equal((await client.rpc.sendRequest(DaemonStatusRequest, {})).pid, winner.pid);
    client.dispose();
  });

  it('takes over a stale lock left by a dead daemon, also when four starters race for it', async () => {
    const paths = homePaths(home.home);
    fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    fs.writeFileSync(paths.lock, `${deadPid()}\n`);
    const { winner } = await race(home.home, 4);
    running.push(winner);
    assert.equal(fs.readFileSync(paths.lock, 'utf8'), `${winner.pid}\n`);
  });

  it('refuses to start while a live daemon holds the home', async () => {
    const first = await startDaemon(home.home);
    running.push(first);
    const second = spawnDaemon(home.home);
    assert.equal(await second.exited, 0);
    assert.match(second.output(), new RegExp(`pid ${first.pid}\\) already serves`));
  });

  it('stops on SIGTERM: in-flight writes are answered and kept, the socket and lock are removed', async () => {
    const daemon = await startDaemon(home.home);
    const client = await connect(home.home);
    await client.rpc.sendRequest(KvPut, { key: 'first', value: 0 });
    const acknowledged: string[] = ['first'];
    let answering!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (answering = resolve));
    const writes = Array.from({ length: 300 }, (_, i) =>
      client.rpc.sendRequest(KvPut, { key: `t${i}`, value: i }).then(
        () => {
          acknowledged.push(`t${i}`);
          answering();
        },
        () => undefined,
      ),
    );
    // SIGTERM as soon as the daemon answers the burst, so the rest are in flight when it arrives.
    await firstAnswered;
    const code = await daemon.terminate();
    await Promise.allSettled(writes);
    client.dispose();
    assert.equal(code, 0, daemon.output());
    const paths = homePaths(home.home);
    assert.equal(fs.existsSync(paths.socket), false, 'socket removed');
    assert.equal(fs.existsSync(paths.lock), false, 'lock released');
    console.log(`      ${acknowledged.length - 1} of 300 writes in flight at SIGTERM were acknowledged`);

    const again = await startDaemon(home.home);
    running.push(again);
    const reader = await connect(home.home);
    for (const key of acknowledged) {
      assert.ok(await reader.rpc.sendRequest(KvGet, { key }), `${key} was acknowledged and must be there`);
    }
    const status = await reader.rpc.sendRequest(DaemonStatusRequest, {});
    assert.deepEqual(status.store.recovery, [], 'a graceful stop needs no recovery');
    reader.dispose();
  });
});
