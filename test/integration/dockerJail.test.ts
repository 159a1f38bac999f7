import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { CorralError } from '../../server/errors';
import { ErrorCode } from '../../server/protocol';
import { buildImage } from '../../server/docker/images';
import { DockerJail } from '../../server/docker/jail';
import { DEFAULT_LIMITS } from '../../server/jail/policy';
import type { JailInfo } from '../../server/jail/port';
import { imageCache, TINY } from '../support/jail';

/**
 * `work`, or a failure after 20 s. A wedged container is thawed through its cgroup (cgroup v1, as
 * on these machines) so that a failing run does not leave the engine hanging for later tests.
 */
async function withinOrThaw<T>(work: Promise<T>, containerId: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const freezer = `/sys/fs/cgroup/freezer/docker/${containerId}/freezer.state`;
      if (fs.existsSync(freezer)) fs.writeFileSync(freezer, 'THAWED');
      reject(new Error(`${what}: the engine did not answer within 20 s (the container was wedged, thawed by the test)`));
    }, 20_000);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** The jail port itself against the real engine: the lifecycle calls the session issue builds on. */
describe('DockerJail port on the real engine', function () {
  this.timeout(60_000);
  const docker = new Dockerode();
  const jail = new DockerJail(async () => docker);
  const home = `/tmp/cr-port-home-${process.pid}`;
  let workspace: string;
  let info: JailInfo;

  before(async () => {
    await buildImage(docker, { base: 'tiny', cacheDir: imageCache });
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-port-ws-'));
    fs.chownSync(workspace, 1000, 1000);
    info = await jail.create({ sessionId: `port${process.pid}`, owner: 'tester', home, image: TINY, workspace, limits: DEFAULT_LIMITS });
  });
  after(async () => {
    await jail.remove(info.containerId);
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('creates a running, labelled, hardened container', async () => {
    assert.equal(info.state, 'running');
    const raw = await docker.getContainer(info.containerId).inspect();
    assert.equal(raw.Config.Labels['corral.session'], `port${process.pid}`);
    assert.equal(raw.Config.Labels['corral.owner'], 'tester');
    assert.equal(raw.Config.Labels['corral.home'], home);
    assert.equal(raw.HostConfig.NetworkMode, 'none');
    assert.deepEqual(raw.HostConfig.CapDrop, ['ALL']);
    assert.equal(raw.HostConfig.ReadonlyRootfs, true);
    assert.equal(raw.HostConfig.Init, true);
    assert.equal(raw.Config.User, '1000:1000');
    assert.ok(raw.HostConfig.SecurityOpt?.includes('no-new-privileges'));
    assert.ok(raw.HostConfig.SecurityOpt?.some((opt: string) => opt.startsWith('seccomp=') && opt.includes('SCMP_ACT_ERRNO')));
    assert.deepEqual(
      raw.Mounts.map((m) => [m.Source, m.Destination, m.RW]),
      [[workspace, '/workspace', true]],
    );
    assert.equal(
      raw.Config.Env?.some((e) => e.startsWith('CORRAL_') || e.includes('KEY')),
      false,
    );
  });

  it('lists its containers by home, and only those', async () => {
    const listed = await jail.list(home);
    assert.deepEqual(
      listed.map((c) => [c.containerId, c.sessionId]),
      [[info.containerId, `port${process.pid}`]],
    );
    assert.deepEqual(await jail.list('/some/other/home'), []);
  });

  it('pauses, resumes and reports stats', async () => {
    await jail.pause(info.containerId);
    assert.equal((await jail.inspect(info.containerId)).state, 'paused');
    await jail.resume(info.containerId);
    assert.equal((await jail.inspect(info.containerId)).state, 'running');
    const stats = await jail.stats(info.containerId);
    assert.ok(stats.memoryBytes > 0);
    assert.ok(stats.pids >= 2, `pids ${stats.pids}`);
  });

  it('never wedges a container paused while an exec is starting (the engine would hang every later call on it)', async () => {
    // Each round starts a process and pauses at once, as a client pausing a session right after it
    // became ready does while its persistent shell starts. Without the per-container queue, some
    // round freezes runc half-way and the pause never answers.
    for (let round = 0; round < 12; round++) {
      const spawning = jail.spawn(info.containerId, ['sh', '-c', 'sleep 300'], { tty: false });
      const pausing = jail.pause(info.containerId);
      const settled = await withinOrThaw(Promise.all([spawning, pausing]), info.containerId, `round ${round}`);
      await jail.resume(info.containerId);
      settled[0].kill();
    }
    assert.equal((await jail.inspect(info.containerId)).state, 'running');
  });

  it('refuses a second container of the same session name with a clear conflict', async () => {
    await assert.rejects(
      jail.create({ sessionId: `port${process.pid}`, owner: 'tester', home, image: TINY, workspace, limits: DEFAULT_LIMITS }),
      (error: unknown) => error instanceof CorralError && error.code === ErrorCode.Conflict && /remove it/.test(error.hint),
    );
  });

  it('reports an unreachable engine with what to do', async () => {
    const down = new DockerJail(async () => new Dockerode({ socketPath: '/nonexistent/docker.sock' }));
    await assert.rejects(
      down.create({ sessionId: 'x', owner: 'o', home, image: TINY, workspace, limits: DEFAULT_LIMITS }),
      (error: unknown) => error instanceof CorralError && error.code === ErrorCode.EngineUnavailable && /DOCKER_HOST/.test(error.hint),
    );
  });

  it('removes a missing container without complaint', async () => {
    await jail.remove('0123456789ab-not-there');
  });
});
