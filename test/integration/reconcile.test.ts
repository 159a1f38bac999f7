import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionList, SessionRemove, SessionShow, SessionStart, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { historyRepo } from '../support/gitrepo';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, sh, TINY } from '../support/jail';
import { until } from '../support/until';

const ROUNDS = Number(process.env.CORRAL_CRASH_ROUNDS ?? 20);

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Containers labelled with this home: what the engine holds for it. */
function containersOf(home: string): { id: string; session: string }[] {
  const out = docker('ps', '-a', '--filter', `label=corral.home=${home}`, '--format', '{{.ID}} {{.Label "corral.session"}}');
  return out === '' ? [] : out.split('\n').map((line) => ({ id: line.split(' ')[0]!, session: line.split(' ')[1]! }));
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  await until(check, { what, timeoutMs: ms, everyMs: 100 });
}

describe('reconciliation with the engine', function () {
  this.timeout(ROUNDS * 20_000 + 120_000);
  let home: ReturnType<typeof tempHome>;
  let repo: ReturnType<typeof historyRepo>;
  beforeEach(() => {
    home = tempHome('rec');
    repo = historyRepo();
  });
  afterEach(() => {
    for (const c of containersOf(home.home)) docker('rm', '-f', c.id);
    repo.cleanup();
    home.cleanup();
  });

  it(`loses no acknowledged session and leaves no orphan through ${ROUNDS} SIGKILLs during session starts`, async () => {
    const env = { CORRAL_IMAGE_CACHE: imageCache, CORRAL_MAX_SESSIONS: '1000', CORRAL_MAINTENANCE_S: '3600' };
    let acknowledged = 0;
    let failedAtCrash = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const daemon = await startDaemon(home.home, env);
      const client = await connect(home.home);
      if (round === 0) await ensureImage(client, 'tiny');
      const acked: string[] = [];
      let killed = false;
      // Three clients start sessions one after another until the daemon dies under them.
      const starts = Array.from({ length: 3 }, async () => {
        while (!killed) {
          try {
            acked.push((await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY })).id);
          } catch {
            return;
          }
        }
      });
      // The crash's moment, drawn at random so the kill lands anywhere in the work: not a wait for anything.
      await sleep(300 + Math.floor(Math.random() * 1200));
      killed = true;
      await daemon.kill9();
      await Promise.allSettled(starts);
      client.dispose();
      acknowledged += acked.length;

      const again = await startDaemon(home.home, env);
      const checker = await connect(home.home);
      const sessions = await checker.rpc.sendRequest(SessionList, {});
      const byId = new Map(sessions.map((s) => [s.id, s]));
      for (const id of acked) assert.equal(byId.get(id)?.state, 'ready', `round ${round}: acknowledged session ${id} must be ready after restart`);
      const live = new Set(sessions.filter((s) => s.state === 'ready').map((s) => s.id));
      for (const c of containersOf(home.home)) assert.ok(live.has(c.session), `round ${round}: orphan container ${c.id} of ${c.session}`);
      const worktrees = fs.existsSync(homePaths(home.home).worktrees) ? fs.readdirSync(homePaths(home.home).worktrees) : [];
      for (const dir of worktrees) assert.ok(live.has(dir), `round ${round}: orphan worktree ${dir}`);
      failedAtCrash += sessions.filter((s) => s.state === 'failed').length;
      for (const s of sessions) await checker.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
      checker.dispose();
      await again.terminate();
    }
    console.log(`      ${ROUNDS} kills: ${acknowledged} acknowledged sessions all kept; ${failedAtCrash} caught mid-creation marked failed and cleaned`);
    assert.ok(acknowledged > 0, 'some starts were acknowledged before the kills');
  });

  describe('while running', () => {
    let daemon: DaemonProcess;
    let client: DaemonConnection;
    beforeEach(async () => {
      daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_MAINTENANCE_S: '0.3', CORRAL_IDLE_PAUSE_S: '0' });
      client = await connect(home.home);
      await ensureImage(client, 'tiny');
    });
    afterEach(async () => {
      client.dispose();
      await daemon.terminate();
    });

    const state = async (s: SessionInfo): Promise<string> => (await client.rpc.sendRequest(SessionShow, { session: s.id })).session.state;

    it('recovers a session whose container an engine restart stopped, and says so', async () => {
      const s = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY });
      await sh(client, s.id, 'echo kept > work.txt');
      docker('stop', '-t', '1', s.containerId!);
      await waitFor('recovery', async () => (await client.rpc.sendRequest(SessionShow, { session: s.id })).events.some((e) => e.kind === 'recovered'));
      assert.equal(await state(s), 'ready');
      assert.equal((await sh(client, s.id, 'cat work.txt')).stdout, 'kept\n', 'the workspace survived');
    });

    it('marks a session whose container vanished as lost, with the reason', async () => {
      const s = await client.rpc.sendRequest(SessionStart, { image: TINY });
      docker('rm', '-f', s.containerId!);
      await waitFor('lost', async () => (await state(s)) === 'lost');
      const shown = await client.rpc.sendRequest(SessionShow, { session: s.id });
      assert.equal(shown.session.stateReason, 'its container is gone');
      await assert.rejects(sh(client, s.id, 'true'), /lost/);
    });

    it('removes containers and workspaces of this home that have no session', async () => {
      const ghost = docker('create', '--label', `corral.home=${home.home}`, '--label', 'corral.session=ghost', TINY, 'sleep', '60');
      const orphanDir = path.join(homePaths(home.home).worktrees, 'ghost');
      fs.mkdirSync(orphanDir, { recursive: true });
      await waitFor('orphans removed', async () => containersOf(home.home).every((c) => c.session !== 'ghost') && !fs.existsSync(orphanDir));
      assert.equal(
        containersOf(home.home).some((c) => c.id === ghost.slice(0, 12)),
        false,
      );
    });
  });

  it('pauses idle sessions and resumes them on the next command', async () => {
    const daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_MAINTENANCE_S: '0.3', CORRAL_IDLE_PAUSE_S: '1' });
    const client = await connect(home.home);
    try {
      await ensureImage(client, 'tiny');
      const s = await client.rpc.sendRequest(SessionStart, { image: TINY });
      await waitFor('idle pause', async () => (await client.rpc.sendRequest(SessionShow, { session: s.id })).session.state === 'paused');
      assert.equal(docker('inspect', '-f', '{{.State.Status}}', s.containerId!), 'paused');
      const events = (await client.rpc.sendRequest(SessionShow, { session: s.id })).events;
      assert.equal(events.at(-1)?.actor, 'idle');
      assert.equal((await sh(client, s.id, 'echo back')).stdout, 'back\n');
      assert.equal((await client.rpc.sendRequest(SessionShow, { session: s.id })).session.state, 'ready');
    } finally {
      client.dispose();
      await daemon.terminate();
    }
  });
});
