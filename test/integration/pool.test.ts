import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SessionList, SessionShow, SessionStart } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { connect, startDaemon } from '../support/daemon';
import { historyRepo } from '../support/gitrepo';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, sh, TINY } from '../support/jail';
import { until } from '../support/until';

/** Containers of this home that no session of the user owns: the pool (claimed ones keep the pool's label). */
async function pooled(home: string, client: DaemonConnection): Promise<number> {
  const out = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=corral.home=${home}`], { encoding: 'utf8' }).trim();
  const all = out === '' ? [] : out.split('\n');
  const mine = new Set((await client.rpc.sendRequest(SessionList, {})).map((s) => s.containerId));
  return all.filter((id) => !mine.has(id)).length;
}

async function waitForPool(home: string, client: DaemonConnection, size: number): Promise<void> {
  await until(async () => (await pooled(home, client)) === size, { timeoutMs: 30_000, everyMs: 100, what: `the pool to reach ${size}` });
}

describe('warm pool', function () {
  this.timeout(120_000);

  it('hands out ready sessions at once, refills in the background, follows HEAD, and drains on shutdown', async () => {
    const home = tempHome('pool');
    const repo = historyRepo();
    const daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_POOL_SIZE: '2', CORRAL_MAINTENANCE_S: '3600' });
    const client = await connect(home.home);
    try {
      await ensureImage(client, 'tiny');
      const cold = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY });
      await waitForPool(home.home, client, 2);
      const warm = await client.rpc.sendRequest(SessionStart, { repo: path.join(repo.dir, 'src'), image: TINY, name: 'from the pool' });
      const events = (await client.rpc.sendRequest(SessionShow, { session: warm.id })).events;
      assert.ok(
        events.some((e) => e.kind === 'claimed'),
        'the second start came from the pool',
      );
      assert.equal(warm.owner, cold.owner);
      assert.equal(warm.name, 'from the pool');
      assert.equal(warm.baseCommit, cold.baseCommit);
      assert.equal((await sh(client, warm.id, 'cat .git/HEAD; head -1 README.md')).stdout, `ref: refs/heads/corral/${warm.id}\n# project\n`);
      await waitForPool(home.home, client, 2);

      repo.git('commit', '--allow-empty', '-qm', 'moved on');
      const afterMove = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY });
      assert.equal(afterMove.baseCommit, repo.git('rev-parse', 'HEAD').trim(), 'a pooled checkout of the old HEAD is never handed out');
      assert.equal(
        (await client.rpc.sendRequest(SessionShow, { session: afterMove.id })).events.some((e) => e.kind === 'claimed'),
        false,
      );
      await waitForPool(home.home, client, 2);
    } finally {
      client.dispose();
      await daemon.terminate();
    }
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=corral.home=${home.home}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    assert.equal(
      left.length,
      3,
      `shutdown drained the pool; only the three user sessions keep containers: ${fs
        .readFileSync(path.join(home.home, 'logs', 'daemon.log'), 'utf8')
        .split('\n')
        .slice(-8)
        .join('\n')}`,
    );
    assert.equal(
      fs.existsSync(path.join(home.home, 'worktrees')) && fs.readdirSync(path.join(home.home, 'worktrees')).length,
      3,
      'only the three claimed sessions keep workspaces',
    );
    execFileSync('sh', ['-c', `docker ps -aq --filter label=corral.home=${home.home} | xargs -r docker rm -f >/dev/null`]);
    repo.cleanup();
    home.cleanup();
  });
});
