import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KvGet } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { connect, spawnDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { percentile, report } from './support/report';

const RUNS = 10;

/** Spawn to first successful hello, and to the first answer that needs the store, in ms. */
async function coldStart(home: string): Promise<{ hello: number; store: number }> {
  const start = performance.now();
  const daemon = spawnDaemon(home);
  const socket = homePaths(home).socket;
  for (;;) {
    // Cheap polling, so the measuring process does not steal a core from the daemon starting.
    while (!fs.existsSync(socket)) await sleep(1);
    try {
      const client = await connect(home);
      const hello = performance.now() - start;
      assert.equal(await client.rpc.sendRequest(KvGet, { key: 'absent' }), null);
      const store = performance.now() - start;
      client.dispose();
      await daemon.terminate();
      return { hello, store };
    } catch {
      await sleep(2);
    }
  }
}

function nodeStart(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => spawn(process.execPath, ['-e', '0']).once('exit', () => resolve(performance.now() - start)));
}

describe('benchmark: daemon cold start', function () {
  it('measures spawn to accepted hello, fresh and existing home, against bare Node start', async () => {
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) floor.push(await nodeStart());
    const fresh: { hello: number; store: number }[] = [];
    const existing: { hello: number; store: number }[] = [];
    const reused = tempHome('boot');
    try {
      for (let i = 0; i < RUNS; i++) {
        const home = tempHome('boot');
        fresh.push(await coldStart(home.home));
        home.cleanup();
        existing.push(await coldStart(reused.home));
      }
    } finally {
      reused.cleanup();
    }
    assert.equal(fresh.length, RUNS);
    const node = { name: 'node -e 0', value: percentile(floor, 50) };
    const p50 = percentile(existing.map((r) => r.hello), 50);
    report('startup', [
      { metric: 'spawn to hello answered, existing home (p50)', value: p50, unit: 'ms', floor: node, target: { text: '≤ 300 ms', met: p50 <= 300 } },
      { metric: 'spawn to first store read answered, existing home (p50)', value: percentile(existing.map((r) => r.store), 50), unit: 'ms', floor: node },
      { metric: 'spawn to hello answered, first start (p50)', value: percentile(fresh.map((r) => r.hello), 50), unit: 'ms', floor: node },
      { metric: 'spawn to first store read answered, first start (p50)', value: percentile(fresh.map((r) => r.store), 50), unit: 'ms', floor: node },
    ]);
  });
});
