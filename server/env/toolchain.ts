import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { buildImage, DEFAULT_IMAGE_TAG, recipeHash } from '../docker/images';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { execInContainer, type LineSink } from './containers';
import { TOOLCHAINS, type Toolchain } from './definition';
import { setupNetwork } from './network';

/** Bumped when the steps below change. */
const TOOLCHAIN_VERSION = 1;

export interface ToolchainImage {
  tag: string;
  source: 'image' | 'cache' | 'built';
}

/**
 * The workspace image plus the toolchains' Debian packages: apt-get in a container of the
 * offline-built debian image (its recipe is the base of the cache key), committed, and saved as
 * a tarball in the image cache so a new engine loads it in seconds instead of installing again.
 * `debian` alone is the workspace image itself.
 */
export async function toolchainImage(docker: Docker, toolchains: Toolchain[], options: { cacheDir: string; hostEnv: NodeJS.ProcessEnv; say: LineSink }): Promise<ToolchainImage> {
  const packages = [...new Set(toolchains.flatMap((t) => [...TOOLCHAINS[t]]))].sort();
  const debian = await buildImage(docker, { base: 'debian', cacheDir: options.cacheDir, progress: options.say });
  if (packages.length === 0) return { tag: debian.tag, source: debian.source };
  const key = createHash('sha256')
    .update(JSON.stringify({ TOOLCHAIN_VERSION, base: recipeHash('debian'), packages }))
    .digest('hex')
    .slice(0, 16);
  const tag = `corral/toolchain:${key}`;
  if (
    await docker
      .getImage(tag)
      .inspect()
      .catch(() => undefined)
  )
    return { tag, source: 'image' };
  const saved = path.join(options.cacheDir, `toolchain-${key}.tar`);
  if (fs.existsSync(saved)) {
    options.say(`loading the ${toolchains.join(' + ')} toolchain from ${path.basename(saved)}`);
    await new Promise<void>((resolve, reject) => {
      docker.loadImage(fs.createReadStream(saved), { quiet: true }, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error('no answer to an image load'));
        stream.resume();
        stream.once('end', resolve);
        stream.once('error', reject);
      });
    });
    if (
      await docker
        .getImage(tag)
        .inspect()
        .catch(() => undefined)
    )
      return { tag, source: 'cache' };
  }
  options.say(`installing ${packages.join(' ')} from Debian into ${DEFAULT_IMAGE_TAG.debian} (network needed once)`);
  const network = setupNetwork(options.hostEnv);
  const container = await docker.createContainer({
    Image: debian.tag,
    Cmd: ['sleep', '2147483647'],
    User: '0:0',
    Env: ['DEBIAN_FRONTEND=noninteractive', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...network.env],
    Labels: { 'corral.build': 'toolchain' },
    HostConfig: { NetworkMode: 'bridge', Init: true, Binds: network.binds, SecurityOpt: ['no-new-privileges'] },
  });
  try {
    await container.start();
    const pth = packages.includes('python3-pip') ? 'echo /opt/corral/site > /usr/lib/python3/dist-packages/corral-env.pth && ' : '';
    const script = [
      'set -e',
      'apt-get update -qq',
      `apt-get install -y -qq --no-install-recommends ${packages.join(' ')}`,
      `${pth}mkdir -p /opt/corral/site /opt/corral/deps && chown 1000:1000 /opt/corral/site /opt/corral/deps`,
      'rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc /usr/share/man',
    ].join('\n');
    const result = await execInContainer(container, ['sh', '-c', script], { user: '0:0', onLine: options.say, keep: 30 });
    if (result.exitCode !== 0) {
      throw new CorralError(
        ErrorCode.EngineUnavailable,
        `installing the ${toolchains.join(' + ')} toolchain failed (exit ${result.exitCode}):\n${result.tail.join('\n')}`,
        "the Debian mirror must be reachable once (the daemon's proxy variables and CA bundle are passed); or name an image in .corral/environment.json",
      );
    }
    await container.stop({ t: 0 }).catch(() => undefined);
    const [repo, version] = tag.split(':') as [string, string];
    await container.commit({
      repo,
      tag: version,
      changes: ['USER 1000:1000', 'WORKDIR /workspace', 'CMD ["/bin/sh"]', `LABEL corral.toolchain=${key} corral.toolchains=${toolchains.join('+')}`],
    });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
  options.say(`saving ${tag} to the image cache`);
  const partial = `${saved}.partial-${process.pid}`;
  try {
    const stream = await docker.getImage(tag).get();
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(partial, { mode: 0o600 });
      stream.pipe(out);
      out.once('finish', resolve);
      out.once('error', reject);
      stream.once('error', reject);
    });
    fs.renameSync(partial, saved);
  } catch (error) {
    options.say(`could not save ${tag} to the cache: ${(error as Error).message}`);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return { tag, source: 'built' };
}
