import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KvGet } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, spawnDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { percentile, report } from './support/report';

const RUNS = 10;

/** How long one cold start may take before the run fails (a start takes well under a second). */
const START_LIMIT_MS = 30_000;

/**
 * Spawn to first successful hello, and to the first answer that needs the store, in ms. Fails with
 * the daemon's output when it exits before answering, and after START_LIMIT_MS, instead of polling
 * for a socket that will never come.
 */
async function coldStart(home: string, limitMs = START_LIMIT_MS): Promise<{ hello: number; store: number }> {
  const start = performance.now();
  const daemon = spawnDaemon(home);
  let ended: number | string | undefined;
  void daemon.exited.then((code) => (ended = code));
  const socket = homePaths(home).socket;
  const failed = (why: string): Error => new Error(`daemon ${why}; its output:\n${daemon.output() || '(none)'}`);
  try {
    for (;;) {
      if (ended !== undefined) throw failed(`exited (${ended}) before answering hello`);
      if (performance.now() - start > limitMs) throw failed(`did not answer within ${limitMs} ms`);
      // Cheap polling, so the measuring process does not steal a core from the daemon starting.
      if (!fs.existsSync(socket)) {
        await sleep(1);
        continue;
      }
      let client: DaemonConnection;
      try {
        client = await connect(home);
      } catch {
        // Bound but not accepting yet.
        await sleep(2);
        continue;
      }
      try {
        const hello = performance.now() - start;
        assert.equal(await client.rpc.sendRequest(KvGet, { key: 'absent' }), null);
        return { hello, store: performance.now() - start };
      } finally {
        client.dispose();
      }
    }
  } finally {
    if (ended === undefined) await daemon.terminate();
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
    const p50 = percentile(
      existing.map((r) => r.hello),
      50,
    );
    report('startup', [
      { metric: 'spawn to hello answered, existing home (p50)', value: p50, unit: 'ms', floor: node, target: { text: '≤ 300 ms', met: p50 <= 300 } },
      {
        metric: 'spawn to first store read answered, existing home (p50)',
        value: percentile(
          existing.map((r) => r.store),
          50,
        ),
        unit: 'ms',
        floor: node,
      },
      {
        metric: 'spawn to hello answered, first start (p50)',
        value: percentile(
          fresh.map((r) => r.hello),
          50,
        ),
        unit: 'ms',
        floor: node,
      },
      {
        metric: 'spawn to first store read answered, first start (p50)',
        value: percentile(
          fresh.map((r) => r.store),
          50,
        ),
        unit: 'ms',
        floor: node,
      },
    ]);
  });

  it("fails with the daemon's output, instead of waiting forever, when the daemon dies before it listens", async () => {
    const scratch = tempHome('boot');
    try {
      // A CORRAL_HOME that is a file: the daemon cannot create its state there and exits at once.
      const home = `${scratch.home}/not-a-folder`;
      fs.writeFileSync(home, '');
      await assert.rejects(coldStart(home), (error: Error) => /daemon exited \(\w+\) before answering hello; its output:\n(?!\(none\))/.test(error.message));
    } finally {
      scratch.cleanup();
    }
  });
});
