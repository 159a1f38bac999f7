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
    assert.deepEqual(raw.Mounts.map((m) => [m.Source, m.Destination, m.RW]), [[workspace, '/workspace', true]]);
    assert.equal(raw.Config.Env?.some((e) => e.startsWith('CORRAL_') || e.includes('KEY')), false);
  });

  it('lists its containers by home, and only those', async () => {
    const listed = await jail.list(home);
    assert.deepEqual(listed.map((c) => [c.containerId, c.sessionId]), [[info.containerId, `port${process.pid}`]]);
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
