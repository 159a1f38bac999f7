import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Dockerode from 'dockerode';
import { SessionList, SessionRemove, SessionStart, ShellExec } from '../../server/protocol';
import { connect, startDaemon } from '../support/daemon';
import { historyRepo } from '../support/gitrepo';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, TINY } from '../support/jail';
import { percentile, report, type BenchRow } from './support/report';

const LOAD_SECONDS = Number(process.env.CORRAL_BENCH_LOAD_S ?? 60);
const SESSIONS = 50;

describe('benchmark: sessions', function () {
  this.timeout(LOAD_SECONDS * 1000 + 600_000);

  it('measures cold and warm-pool starts, and 50 sessions under a command loop', async () => {
    const rows: BenchRow[] = [];
    const docker = new Dockerode();
    const repo = historyRepo();
    const home = tempHome('sbench');
    const daemon = await startDaemon(home.home, {
      CORRAL_IMAGE_CACHE: imageCache,
      CORRAL_POOL_SIZE: '3',
      CORRAL_MAX_SESSIONS: '500',
      CORRAL_MAINTENANCE_S: '5',
      CORRAL_IDLE_PAUSE_S: '0',
    });
    const client = await connect(home.home);
    try {
      await ensureImage(client, 'tiny');
      // Floor: raw create + start of the same image.
      const raw: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const c = await docker.createContainer({ Image: TINY, Cmd: ['sleep', '2147483647'], HostConfig: { Init: true, NetworkMode: 'none' } });
        await c.start();
        raw.push(performance.now() - t);
        await c.remove({ force: true });
      }
      // Cold: a private git checkout + hardened container (the pool is not warm yet for a new HEAD).
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < 5; i++) {
        repo.git('commit', '--allow-empty', '-qm', `round ${i}`);
        let t = performance.now();
        await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY });
        cold.push(performance.now() - t);
        // Let the pool fill for this HEAD, then take from it.
        for (let waited = 0; waited < 20_000; waited += 100) {
          await sleep(100);
          t = performance.now();
          const s = await client.rpc.sendRequest(SessionStart, { repo: repo.dir, image: TINY });
          const elapsed = performance.now() - t;
          if (elapsed < 60) {
            warm.push(elapsed);
            break;
          }
          await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
        }
      }
      for (const s of await client.rpc.sendRequest(SessionList, {})) await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
      const floor = { name: 'raw create+start', value: percentile(raw, 50) };
      rows.push({ metric: 'session start, cold, git checkout (p50)', value: percentile(cold, 50), unit: 'ms', floor });
      const warmP50 = percentile(warm, 50);
      rows.push({ metric: 'session start from the warm pool (p50)', value: warmP50, unit: 'ms', floor, target: { text: '≤ 20 ms', met: warm.length > 0 && warmP50 <= 20 } });

      // Load: 50 sessions, each looping a command for LOAD_SECONDS.
      const rssOf = (): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const rssBefore = rssOf();
      const sessions = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await client.rpc.sendRequest(SessionStart, { image: TINY }));
      const clients = await Promise.all(Array.from({ length: 10 }, () => connect(home.home)));
      const latencies: number[] = [];
      let peakRss = rssOf();
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf())), 500);
      const end = Date.now() + LOAD_SECONDS * 1000;
      await Promise.all(
        sessions.map(async (s, i) => {
          const c = clients[i % clients.length]!;
          while (Date.now() < end) {
            const t = performance.now();
            const r = await c.rpc.sendRequest(ShellExec, { session: s.id, command: 'echo $((1+1)) > /tmp/x; cat /tmp/x' });
            latencies.push(performance.now() - t);
            assert.equal(r.stdout, '2\n');
          }
        }),
      );
      clearInterval(sampler);
      // Floor: the same loop through 50 raw persistent `docker exec -i sh` streams, no daemon.
      const floorLatencies = await rawShellLoop(
        docker,
        sessions.map((s) => s.containerId!),
        Math.min(LOAD_SECONDS, 20),
      );
      const perSession = await Promise.all(
        sessions.slice(0, 10).map(async (s) => {
          const stats = (await docker.getContainer(s.containerId!).stats({ stream: false })) as Dockerode.ContainerStats;
          return stats.memory_stats.usage ?? 0;
        }),
      );
      for (const c of clients) c.dispose();
      for (const s of sessions) await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
      const p99 = percentile(latencies, 99);
      const rawFloor = (p: number): { name: string; value: number } => ({ name: 'raw persistent docker exec', value: percentile(floorLatencies.times, p) });
      rows.push({ metric: `${SESSIONS} sessions × command loop, ${LOAD_SECONDS} s: RPC p50`, value: percentile(latencies, 50), unit: 'ms', floor: rawFloor(50) });
      rows.push({ metric: `${SESSIONS} sessions × command loop: RPC p99`, value: p99, unit: 'ms', floor: rawFloor(99), target: { text: '≤ 100 ms', met: p99 <= 100 } });
      rows.push({
        metric: 'commands per second (all sessions)',
        value: latencies.length / LOAD_SECONDS,
        unit: 'cmd/s',
        floor: { name: 'raw persistent docker exec', value: floorLatencies.perSecond },
      });
      rows.push({ metric: 'daemon RSS before / peak under load', value: peakRss / 1e6, unit: 'MB', floor: { name: 'before', value: rssBefore / 1e6 } });
      rows.push({ metric: 'memory per session (container, median of 10)', value: percentile(perSession, 50) / 1e6, unit: 'MB' });
      report('sessions', rows);
    } finally {
      client.dispose();
      await daemon.terminate();
      repo.cleanup();
      home.cleanup();
    }
  });
});

/**
 * The floor for the load test: one raw non-TTY `docker exec -i sh` per container, the same command
 * with a plain end marker, no daemon, no RPC, no store.
 */
async function rawShellLoop(docker: Dockerode, containers: string[], seconds: number): Promise<{ times: number[]; perSecond: number }> {
  const times: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    containers.map(async (id) => {
      const exec = await docker.getContainer(id).exec({ Cmd: ['sh'], AttachStdin: true, AttachStdout: true, AttachStderr: true, User: '1000:1000' });
      const stream = (await exec.start({ hijack: true, stdin: true })) as import('node:stream').Duplex;
      const out = new (await import('node:stream')).PassThrough();
      docker.modem.demuxStream(stream, out, out);
      let buffer = '';
      let wake: (() => void) | undefined;
      out.on('data', (d: Buffer) => {
        buffer += d.toString();
        wake?.();
      });
      while (Date.now() < end) {
        const t = performance.now();
        stream.write("echo $((1+1)) > /tmp/x; cat /tmp/x; printf '\\036END\\036'\n");
        while (!buffer.includes('\x1eEND\x1e')) await new Promise<void>((resolve) => (wake = resolve));
        buffer = '';
        times.push(performance.now() - t);
      }
      stream.end('exit\n');
    }),
  );
  return { times, perSecond: times.length / seconds };
}
