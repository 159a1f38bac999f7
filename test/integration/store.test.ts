import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryLogger } from '../../server/log';
import { homePaths } from '../../server/protocol/paths';
import { listJournalFiles } from '../../server/store/journal';
import { Store, type StoreOptions } from '../../server/store/store';
import { tempHome } from '../support/home';

function options(home: string, extra: Partial<StoreOptions> = {}): StoreOptions {
  const paths = homePaths(home);
  return { dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger(), ...extra };
}

async function put(store: Store, key: string, value: string): Promise<void> {
  await store.write((w) =>
    w.run(
      `INSERT INTO kv (owner, key, value, version, updated_at) VALUES ('t', ?, ?, 1, 'now')
       ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value`,
      [key, value],
    ),
  );
}

function values(store: Store): Record<string, string> {
  const rows = store.read((r) => r.all<{ key: string; value: string }>("SELECT key, value FROM kv WHERE owner = 't' ORDER BY key"));
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

/** Opens without closing: what a SIGKILL leaves is the journal and snapshots on disk. */
async function reopen(home: string, extra: Partial<StoreOptions> = {}): Promise<Store> {
  return Store.open(options(home, extra));
}

describe('Store on real files', function () {
  this.timeout(20_000);
  let home: ReturnType<typeof tempHome>;
  const open: Store[] = [];
  beforeEach(() => (home = tempHome('store')));
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => undefined);
    home.cleanup();
  });
  const track = (store: Store): Store => (open.push(store), store);

  it('keeps acknowledged writes across an unclean stop (journal replay)', async () => {
    const first = await Store.open(options(home.home));
    for (let i = 0; i < 50; i++) await put(first, `k${i}`, `v${i}`);
    // No close: the in-memory state is simply abandoned, as after kill -9.
    const second = track(await reopen(home.home));
    assert.equal(Object.keys(values(second)).length, 50);
    assert.equal(values(second).k49, 'v49');
    assert.deepEqual(second.recovery, []);
  });

  it('runs every kind of statement to the end, as replay does (WITH … INSERT, INSERT … SELECT)', async () => {
    const first = await Store.open(options(home.home));
    const result = await first.write((w) =>
      w.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
             INSERT INTO kv (owner, key, value, version, updated_at) SELECT 'cte', 'k' || i, '{}', 1, 'now' FROM n`),
    );
    assert.equal(result.changes, 300);
    const count = (s: Store): number => s.read((r) => r.get<{ n: number }>("SELECT COUNT(*) AS n FROM kv WHERE owner = 'cte'"))!.n;
    assert.equal(count(first), 300);
    const second = track(await reopen(home.home));
    assert.equal(count(second), 300, 'the replayed journal agrees with what was acknowledged');
  });

  it('shares one fsync between concurrent writes (group commit)', async () => {
    const store = track(await Store.open(options(home.home)));
    const before = (store as unknown as { journal: { flushes: number } }).journal.flushes;
    await Promise.all(Array.from({ length: 2000 }, (_, i) => put(store, `g${i}`, 'x')));
    const flushes = (store as unknown as { journal: { flushes: number } }).journal.flushes - before;
    assert.ok(flushes < 200, `2000 writes took ${flushes} fsyncs`);
    assert.equal(Object.keys(values(store)).length, 2000);
  });

  it('rolls back a write that throws and journals nothing for it', async () => {
    const store = track(await Store.open(options(home.home)));
    await put(store, 'a', '1');
    const seq = store.status().lastSeq;
    assert.throws(() =>
      store.write((w) => {
        w.run("INSERT INTO kv VALUES ('t', 'b', '2', 1, 'now')");
        throw new Error('changed my mind');
      }),
    );
    assert.equal(store.status().lastSeq, seq);
    assert.deepEqual(values(store), { a: '1' });
  });

  it('snapshots atomically, retires covered journal files, and reloads from the snapshot', async () => {
    const store = await Store.open(options(home.home, { snapshotEveryWrites: 100 }));
    for (let i = 0; i < 450; i++) await put(store, `s${i}`, String(i));
    await store.snapshot();
    const files = listJournalFiles(path.join(home.home, 'journal'));
    assert.ok(files.length <= 3, `journal files kept: ${files.map((f) => f.firstSeq).join(', ')}`);
    assert.ok(fs.existsSync(path.join(home.home, 'corral.db')));
    assert.ok(fs.existsSync(path.join(home.home, 'corral.db.prev')));
    await store.close();
    const again = track(await reopen(home.home));
    assert.equal(Object.keys(values(again)).length, 450);
    assert.deepEqual(again.recovery, []);
  });

  it('recovers a torn journal tail, reports what was dropped, and is clean on the next start', async () => {
    const first = await Store.open(options(home.home));
    for (let i = 0; i < 10; i++) await put(first, `t${i}`, String(i));
    const last = listJournalFiles(path.join(home.home, 'journal')).at(-1)!.file;
    const size = fs.statSync(last).size;
    fs.truncateSync(last, size - 5);
    const second = await reopen(home.home);
    assert.equal(second.recovery.length, 1);
    assert.equal(second.recovery[0]!.kind, 'torn-journal-tail');
    assert.ok((second.recovery[0]!.droppedBytes ?? 0) > 0);
    assert.deepEqual(Object.keys(values(second)).length, 9, 'only the torn last write is lost');
    await put(second, 'after', 'recovery');
    await second.close();
    const third = track(await reopen(home.home));
    assert.deepEqual(third.recovery, []);
    assert.equal(values(third).after, 'recovery');
    assert.equal(Object.keys(values(third)).length, 10);
  });

  it('falls back to the previous snapshot and the journal when the snapshot is garbage', async () => {
    const store = await Store.open(options(home.home));
    for (let i = 0; i < 20; i++) await put(store, `p${i}`, String(i));
    await store.snapshot();
    for (let i = 20; i < 40; i++) await put(store, `p${i}`, String(i));
    await store.snapshot();
    for (let i = 40; i < 60; i++) await put(store, `p${i}`, String(i));
    fs.writeFileSync(path.join(home.home, 'corral.db'), Buffer.from('this is not a database'.repeat(100)));
    const again = track(await reopen(home.home));
    assert.deepEqual(
      again.recovery.map((e) => e.kind),
      ['corrupt-snapshot', 'snapshot-fallback'],
    );
    assert.equal(Object.keys(values(again)).length, 60, 'nothing acknowledged is lost');
  });

  it('reports data loss when every snapshot is garbage and the journal no longer reaches back', async () => {
    const store = await Store.open(options(home.home));
    for (let i = 0; i < 5; i++) await put(store, `q${i}`, String(i));
    await store.snapshot();
    await put(store, 'q5', '5');
    await store.snapshot();
    await put(store, 'q6', '6');
    await store.snapshot();
    await store.close();
    fs.writeFileSync(path.join(home.home, 'corral.db'), 'garbage');
    fs.writeFileSync(path.join(home.home, 'corral.db.prev'), 'garbage');
    const again = track(await reopen(home.home));
    const kinds = again.recovery.map((e) => e.kind);
    assert.ok(kinds.includes('corrupt-snapshot'));
    assert.ok(kinds.includes('journal-gap') || kinds.includes('snapshot-fallback'), kinds.join(','));
    assert.equal(again.status().failure, undefined, 'the store still works');
    await put(again, 'new', 'ok');
    assert.equal(values(again).new, 'ok');
  });
});
