import * as path from 'node:path';
import type Docker from 'dockerode';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { DEFAULT_TIMEOUT_MS, execInContainer, followProgress, type LineSink } from './containers';
import type { EnvironmentSpec } from './definition';
import { setupNetwork } from './network';
import { repoTar } from './repoTar';

/** Where setup leaves the dependency folders in the environment image (outside /workspace). */
export const DEPS_DIR = '/opt/corral/deps';

const SETUP_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A Dockerfile of the repository built into an image (the engine's own builder: FROM must be on
 * the engine or pullable). A failed build leaves no image and shows the build's last lines.
 */
export async function buildDockerfile(
  docker: Docker,
  root: string,
  base: Extract<EnvironmentSpec['base'], { kind: 'dockerfile' }>,
  tag: string,
  labels: Record<string, string>,
  say: LineSink,
): Promise<void> {
  const context = path.join(root, base.context);
  const dockerfile = path.relative(context, path.join(root, base.dockerfile)).split(path.sep).join('/');
  const tail: string[] = [];
  const stream = await docker.buildImage(await repoTar(root, base.context, 0), {
    t: tag,
    dockerfile,
    buildargs: base.args,
    labels,
    rm: true,
    forcerm: true,
    networkmode: 'bridge',
  });
  const result = await followProgress(docker, stream, (line) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    say(line);
  });
  if (result.error !== undefined) {
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
    const offline = /pull access denied|failed to resolve|dial tcp|no such host|manifest unknown|not found/i.test(result.error);
    throw new CorralError(
      offline ? ErrorCode.ImageUnavailable : ErrorCode.InvalidParams,
      `building ${base.dockerfile} failed: ${result.error}\n${tail.join('\n')}`,
      offline
        ? 'its FROM image is not on this engine and no registry answers: use FROM corral/debian:latest (built offline by `corral image build`) or `docker load` the image'
        : `fix ${base.dockerfile}, then \`corral env build\``,
    );
  }
}

/**
 * The setup phase: a container of `baseImage` with network (bridge), the host's CA bundle and
 * proxy variables but no credentials, a copy of the repository in /workspace owned by the jail
 * user; the setup commands run there as uid 1000. The dependency folders are then moved to
 * DEPS_DIR and the container committed as `tag`. On failure nothing is committed and the error
 * carries the log's tail and what to fix.
 */
export async function runSetup(
  docker: Docker,
  root: string,
  spec: EnvironmentSpec,
  baseImage: string,
  tag: string,
  options: { hostEnv: NodeJS.ProcessEnv; labels: Record<string, string>; depsLabel: string; say: LineSink; timeoutMs?: number },
): Promise<{ dependencyFolders: string[] }> {
  const network = setupNetwork(options.hostEnv);
  const env = [
    'HOME=/tmp/home',
    SETUP_PATH,
    'LANG=C.UTF-8',
    'PIP_BREAK_SYSTEM_PACKAGES=1',
    'npm_config_update_notifier=false',
    ...network.env,
    ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
  ];
  const container = await docker.createContainer({
    Image: baseImage,
    Cmd: ['sleep', '2147483647'],
    User: '0:0',
    WorkingDir: '/',
    Env: env,
    Labels: { 'corral.build': 'setup' },
    HostConfig: {
      NetworkMode: 'bridge',
      Init: true,
      Binds: network.binds,
      SecurityOpt: ['no-new-privileges'],
      Memory: 4096 * 1024 * 1024,
      PidsLimit: 2048,
    },
  });
  try {
    await container.start();
    // Root only prepares the folders the jail user may write; the setup commands never run as root.
    const prepare = `mkdir -p /workspace ${DEPS_DIR} /opt/corral/site /tmp/home && chown 1000:1000 /workspace ${DEPS_DIR} /opt/corral/site /tmp/home && find /workspace -mindepth 1 -delete`;
    const prepared = await execInContainer(container, ['sh', '-c', prepare], { user: '0:0' });
    if (prepared.exitCode !== 0) {
      throw new CorralError(
        ErrorCode.InvalidParams,
        `the image ${baseImage} cannot be prepared for setup:\n${prepared.tail.join('\n')}`,
        'the image needs sh, mkdir, chown and find (any Debian- or Alpine-based image has them)',
      );
    }
    await container.putArchive(await repoTar(root), { path: '/workspace' });
    for (const command of spec.setup) {
      options.say(`$ ${command}`);
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const result = await execInContainer(container, ['sh', '-c', command], { user: '1000:1000', workdir: '/workspace', env, onLine: options.say, timeoutMs });
      if (result.exitCode !== 0) {
        throw new CorralError(
          ErrorCode.InvalidParams,
          `the environment's setup failed: \`${command}\` ${result.timedOut ? `ran past ${Math.round(timeoutMs / 1000)} s and was killed` : `exited with ${result.exitCode}`}; its last lines:\n${result.tail.join('\n')}`,
          `fix the command${spec.file ? ` in ${spec.file}` : ''} (or add a lockfile), then \`corral env build\`; nothing was kept`,
          { command, exitCode: result.exitCode, log: result.tail },
        );
      }
    }
    const moves = spec.dependencyFolders.map(
      (f) => `if [ -e "${f}" ]; then mkdir -p "${DEPS_DIR}/$(dirname "${f}")" && mv "${f}" "${DEPS_DIR}/${f}" && echo "corral-dep:${f}"; fi`,
    );
    const moved = await execInContainer(container, ['sh', '-c', ['set -e', ...moves, 'find /workspace -mindepth 1 -delete'].join('\n')], {
      user: '1000:1000',
      workdir: '/workspace',
    });
    if (moved.exitCode !== 0) throw new CorralError(ErrorCode.Internal, `could not set the dependency folders aside:\n${moved.tail.join('\n')}`, 'see the daemon log');
    const dependencyFolders = moved.tail.filter((l) => l.startsWith('corral-dep:')).map((l) => l.slice('corral-dep:'.length));
    await container.stop({ t: 0 }).catch(() => undefined);
    const colon = tag.lastIndexOf(':');
    await container.commit({
      repo: tag.slice(0, colon),
      tag: tag.slice(colon + 1),
      changes: [
        'USER 1000:1000',
        'WORKDIR /workspace',
        'CMD ["/bin/sh"]',
        `LABEL ${Object.entries({ ...options.labels, [options.depsLabel]: dependencyFolders.join(',') })
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ')}`,
      ],
    });
    return { dependencyFolders };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
