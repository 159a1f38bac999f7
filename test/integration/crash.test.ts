import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonStatusRequest, KvList, KvPut } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon } from '../support/daemon';
import { tempHome } from '../support/home';

const ROUNDS = Number(process.env.CORRAL_CRASH_ROUNDS ?? 20);
const CLIENTS = 8;

/**
 * Writes through the RPC API from several clients while the daemon is killed with SIGKILL at a
 * random moment; after every restart, every write whose reply arrived must be there, unchanged.
 * Snapshots are taken every 250 writes so that kills also land during snapshots.
 */
describe('crash safety under SIGKILL', function () {
  this.timeout(ROUNDS * 15_000 + 30_000);
  let home: ReturnType<typeof tempHome>;
  before(() => (home = tempHome('crash')));
  after(() => home.cleanup());

  it(`keeps every acknowledged write through ${ROUNDS} kills at random moments`, async () => {
    const env = { CORRAL_SNAPSHOT_EVERY: '250' };
    /** round → key → value acknowledged */
    const acknowledged = new Map<number, Map<string, number>>();
    const recoveries: string[] = [];
    let totalAcks = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const daemon = await startDaemon(home.home, env);
      const acks = new Map<string, number>();
      acknowledged.set(round, acks);
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(home.home)));
      let killed = false;
      const writers = clients.map(async (client, c) => {
        for (let i = 0; !killed; i++) {
          const key = `r${round}/c${c}/${i}`;
          try {
            await client.rpc.sendRequest(KvPut, { key, value: i });
            acks.set(key, i);
          } catch {
            return; // The daemon died with this request in flight: not acknowledged.
          }
        }
      });
      // The crash's moment, drawn at random so the kill lands anywhere in the work: not a wait for anything.
      await sleep(100 + Math.floor(Math.random() * 500));
      killed = true;
      await daemon.kill9();
      await Promise.all(writers);
      for (const client of clients) client.dispose();
      totalAcks += acks.size;

      // Restart and check every round so far.
      const restarted = await startDaemon(home.home, env);
      const reader = await connect(home.home);
      try {
        const status = await reader.rpc.sendRequest(DaemonStatusRequest, {});
        assert.equal(status.store.failure, undefined);
        for (const event of status.store.recovery) {
          // A SIGKILL can at most cut the write that was in progress; anything else is corruption.
          assert.equal(event.kind, 'torn-journal-tail', event.message);
          recoveries.push(event.message);
        }
        for (const [r, expected] of acknowledged) {
          const stored = new Map((await reader.rpc.sendRequest(KvList, { prefix: `r${r}/` })).map((e) => [e.key, e.value]));
          for (const [key, value] of expected) {
            assert.equal(stored.get(key), value, `round ${round}: acknowledged write ${key} is missing after restart`);
          }
        }
      } finally {
        reader.dispose();
      }
      await restarted.terminate();
      assert.ok(fs.existsSync(homePaths(home.home).db), 'a snapshot exists');
    }
    console.log(`      ${ROUNDS} kills, ${totalAcks} acknowledged writes checked, ${recoveries.length} torn tails recovered`);
    assert.ok(totalAcks > ROUNDS * 50, 'the load actually wrote');
  });
});
