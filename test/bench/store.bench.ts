import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryLogger } from '../../server/log';
import { KvPut } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { Store } from '../../server/store/store';
import { connect, startDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { report } from './support/report';

const SEQUENTIAL = 500;
const BATCHED = 100_000;
const OUTSTANDING = 5_000;

const insert = `INSERT INTO kv (owner, key, value, version, updated_at) VALUES ('bench', ?, ?, 1, '2026-01-01T00:00:00Z')`;

describe('benchmark: durable writes', function () {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => (home = tempHome('bench')));
  afterEach(() => home.cleanup());

  it('measures group commit against one fsync per write, and the raw fsync floor', async () => {
    // Floor: append 100 bytes and fdatasync, one at a time, on the same disk.
    const fd = fs.openSync(path.join(home.home, 'floor'), 'a');
    const block = Buffer.alloc(100, 1);
    let start = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) {
      fs.writeSync(fd, block);
      fs.fdatasyncSync(fd);
    }
    const fsyncPerSecond = (SEQUENTIAL / (performance.now() - start)) * 1000;
    fs.closeSync(fd);

    const paths = homePaths(home.home);
    const store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
    start = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await store.write((w) => w.run(insert, [`seq${i}`, '{"v":1}']));
    const sequentialPerSecond = (SEQUENTIAL / (performance.now() - start)) * 1000;

    start = performance.now();
    let inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < BATCHED; i++) {
      inFlight.push(store.write((w) => w.run(insert, [`batch${i}`, '{"v":1}'])));
      if (inFlight.length >= OUTSTANDING) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const batchedPerSecond = (BATCHED / (performance.now() - start)) * 1000;
    const count = store.read((r) => r.get<{ n: number }>("SELECT count(*) AS n FROM kv WHERE owner = 'bench'"))!.n;
    assert.equal(count, SEQUENTIAL + BATCHED);
    await store.close();

    // The same through the daemon: 50 clients, 40 puts in flight each.
    const daemon = await startDaemon(home.home);
    const clients = await Promise.all(Array.from({ length: 50 }, () => connect(home.home, 'test', { checked: false })));
    start = performance.now();
    const perClient = 400;
    await Promise.all(
      clients.map(async (c, n) => {
        for (let round = 0; round < perClient / 40; round++) {
          await Promise.all(Array.from({ length: 40 }, (_, i) => c.rpc.sendRequest(KvPut, { key: `rpc${n}/${round}/${i}`, value: i })));
        }
      }),
    );
    const rpcPerSecond = ((clients.length * perClient) / (performance.now() - start)) * 1000;
    for (const c of clients) c.dispose();
    await daemon.terminate();

    report('store', [
      { metric: 'durable writes/s, one at a time (fsync per write)', value: sequentialPerSecond, unit: 'writes/s', floor: { name: 'raw write+fdatasync', value: fsyncPerSecond } },
      {
        metric: `durable writes/s, group commit (${OUTSTANDING} outstanding)`,
        value: batchedPerSecond,
        unit: 'writes/s',
        floor: { name: 'fsync per write', value: sequentialPerSecond },
        target: { text: '≥ 50,000/s', met: batchedPerSecond >= 50_000 },
      },
      { metric: 'durable kv/put via RPC, 50 clients × 40 in flight', value: rpcPerSecond, unit: 'writes/s' },
    ]);
  });
});
