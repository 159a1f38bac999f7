import { execFileSync, execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { SessionRemove, SessionStart } from '../../server/protocol';
import { EnvBuild, EnvShow } from '../../server/protocol/env';
import { linkDependencies } from '../../server/workspace/dependencies';
import { connect, startDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache, sh } from '../support/jail';
import { percentile, report, timeCalls, type BenchRow } from './support/report';

const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'repos');
const PROJECTS = ['is-number', 'dequal', 'tomli'];
const ROUNDS = 5;

function clone(name: string, made: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cr-envbench-${name}-`));
  made.push(dir);
  execFileSync('git', ['clone', '-q', path.join(CORPUS, `${name}.bundle`), dir], { stdio: 'ignore' });
  execFileSync('git', ['switch', '-q', '-c', 'main'], { cwd: dir });
  return dir;
}

describe('benchmark: environments', function () {
  this.timeout(1_800_000);

  it('measures first builds, session starts with a cached environment, dependency links and npm test in the jail', async function () {
    if (!fs.existsSync(path.join(CORPUS, 'dequal.bundle'))) {
      // The corpus lives in ../shared beside the clone on the build machines only.
      console.log(`      skipped: no corpus at ${CORPUS} (it comes with ../shared beside the clone)`);
      this.skip();
    }
    const rows: BenchRow[] = [];
    const made: string[] = [];
    const docker = new Dockerode();
    const home = tempHome('envbench');
    const daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_IDLE_PAUSE_S: '0' });
    const client = await connect(home.home);
    try {
      await ensureImage(client, 'debian');
      const repos = Object.fromEntries(PROJECTS.map((name) => [name, clone(name, made)]));

      // First build of each corpus environment: its own image removed first (the toolchain image
      // stays, or comes from the image cache, as on a machine that built any environment before).
      for (const name of PROJECTS) {
        const shown = await client.rpc.sendRequest(EnvShow, { repo: repos[name]! });
        if (shown.image.startsWith('corral/env:'))
          await docker
            .getImage(shown.image)
            .remove({ force: true })
            .catch(() => undefined);
        // As on a new engine (CI): the toolchain comes from the image cache when it was built once.
        for (const t of await docker.listImages({ filters: { reference: ['corral/toolchain'] } })) {
          for (const tag of t.RepoTags ?? [])
            await docker
              .getImage(tag)
              .remove()
              .catch(() => undefined);
        }
        const t = performance.now();
        const built = await client.rpc.sendRequest(EnvBuild, { repo: repos[name]! });
        const spent = built.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s`).join(', ');
        rows.push({ metric: `first build, ${name} (${spent || 'nothing to do'})`, value: (performance.now() - t) / 1000, unit: 's' });
      }

      // Session start: today's cold start (the workspace image by name) against the repository's cached environment.
      const cold: number[] = [];
      const withEnv: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        for (const [image, into] of [
          [DEBIAN, cold],
          [undefined, withEnv],
        ] as const) {
          const t = performance.now();
          const s = await client.rpc.sendRequest(SessionStart, { repo: repos.dequal!, ...(image ? { image } : {}) });
          into.push(performance.now() - t);
          await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
        }
      }
      const coldP50 = percentile(cold, 50);
      const envP50 = percentile(withEnv, 50);
      rows.push({ metric: 'session start, cold, corral/debian (p50)', value: coldP50, unit: 'ms' });
      rows.push({
        metric: 'session start, cached dequal environment (p50)',
        value: envP50,
        unit: 'ms',
        floor: { name: 'cold start', value: coldP50 },
        target: { text: '≤ 1.2×', met: envP50 <= 1.2 * coldP50 },
      });

      // Dependency folder per session: the link into a fresh checkout, against copying the tree.
      const session = await client.rpc.sendRequest(SessionStart, { repo: repos.dequal! });
      const hostDeps = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-envbench-deps-'));
      made.push(hostDeps);
      execSync(
        `docker create --name cr-envbench-${process.pid} ${session.image} true >/dev/null && docker cp cr-envbench-${process.pid}:/opt/corral/deps/node_modules ${hostDeps}/ && docker rm cr-envbench-${process.pid} >/dev/null`,
      );
      const links: number[] = [];
      const copies: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-envbench-ws-'));
        made.push(ws);
        let t = performance.now();
        linkDependencies({ workspace: ws, trusted: path.join(ws, 'none') }, ['node_modules']);
        links.push(performance.now() - t);
        t = performance.now();
        fs.cpSync(path.join(hostDeps, 'node_modules'), path.join(ws, 'copy'), { recursive: true, verbatimSymlinks: true });
        copies.push(performance.now() - t);
      }
      const linkP50 = percentile(links, 50);
      rows.push({
        metric: "dequal's node_modules into a session (p50)",
        value: linkP50,
        unit: 'ms',
        floor: { name: 'a full copy', value: percentile(copies, 50) },
        target: { text: '≤ 100 ms', met: linkP50 <= 100 },
      });

      // npm test in the jail (offline, hardened) against the same on the host, same node_modules.
      const hostRepo = clone('dequal', made);
      fs.symlinkSync(path.join(hostDeps, 'node_modules'), path.join(hostRepo, 'node_modules'));
      const host: number[] = [];
      const jail: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        let t = performance.now();
        execSync('npm test >/dev/null 2>&1', { cwd: hostRepo });
        host.push(performance.now() - t);
        t = performance.now();
        const r = await sh(client, session.id, 'npm test >/dev/null 2>&1; echo $?', 120_000);
        jail.push(performance.now() - t);
        if (r.stdout.trim() !== '0') throw new Error(`npm test failed in the jail: ${r.stdout}`);
      }
      // Where the difference goes: the test runner alone (no npm), same build output.
      const hostRunner = await timeCalls(ROUNDS, async () => void execSync('node_modules/.bin/uvu -r esm test >/dev/null 2>&1', { cwd: hostRepo }));
      const jailRunner = await timeCalls(ROUNDS, () => sh(client, session.id, 'node_modules/.bin/uvu -r esm test >/dev/null 2>&1', 120_000));
      const npmVersion = await timeCalls(ROUNDS, () => sh(client, session.id, 'npm --version >/dev/null', 60_000));
      const hostNpm = await timeCalls(ROUNDS, async () => void execSync('npm --version >/dev/null', { cwd: hostRepo }));
      rows.push({ metric: 'uvu alone in the jail (p50)', value: percentile(jailRunner, 50), unit: 'ms', floor: { name: 'host', value: percentile(hostRunner, 50) } });
      rows.push({
        metric: "npm's own start (npm --version) in the jail (p50)",
        value: percentile(npmVersion, 50),
        unit: 'ms',
        floor: { name: 'host', value: percentile(hostNpm, 50) },
      });
      const jailP50 = percentile(jail, 50);
      const hostP50 = percentile(host, 50);
      rows.push({
        metric: `npm test of dequal in the jail (node ${(await sh(client, session.id, 'node --version')).stdout.trim()}, p50)`,
        value: jailP50,
        unit: 'ms',
        floor: { name: `host (node ${process.version})`, value: hostP50 },
        target: { text: '≤ 1.3×', met: jailP50 <= 1.3 * hostP50 },
      });
      await client.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
      report('env', rows);
    } finally {
      client.dispose();
      await daemon.terminate();
      home.cleanup();
      for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
