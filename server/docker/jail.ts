import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import type { JailInfo, JailPort, JailProcess, JailSpec, JailStats } from '../jail/port';
import { JAIL_USER } from '../jail/policy';
import { corralSeccompProfile } from '../jail/seccomp';

/** Docker's default masked paths (replaced, not extended, when set) plus kernel facts about the host. */
const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/kernel/vmcoreinfo',
  '/sys/kernel/notes',
  '/sys/kernel/debug',
  '/sys/kernel/security',
  '/sys/kernel/mm',
  '/sys/devices/virtual/dmi',
  '/proc/kallsyms',
  '/proc/modules',
];

/**
 * The environment of every jailed process: nothing of the daemon's. No Python bytecode files:
 * an agent edits and re-runs within a second, and a .pyc whose source changed size-neutrally in
 * the same second would be trusted stale (it also keeps __pycache__ out of the diff).
 */
export const JAIL_ENV = ['HOME=/tmp', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'TERM=xterm-256color', 'PYTHONDONTWRITEBYTECODE=1'];

export const LABELS = { session: 'corral.session', owner: 'corral.owner', home: 'corral.home' } as const;

/**
 * The jail port on dockerode: hardened containers, exec'd processes, lifecycle.
 *
 * Exec starts and pause/unpause of one container never overlap. A pause that lands while an exec
 * is starting freezes its `runc init` half-way into the container; runc then waits for it forever
 * while holding the container's lock, and the pause, the unpause, `docker rm -f` and every later
 * call on that container hang (seen on this engine: a session paused right after it became ready,
 * while its persistent shell was starting). So each container has a queue: an exec start holds it
 * until the engine reports the process running, a pause or unpause holds it for its call.
 */
export class DockerJail implements JailPort {
  private readonly seccomp = JSON.stringify(corralSeccompProfile());
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly docker: () => Promise<Docker>) {}

  async create(spec: JailSpec): Promise<JailInfo> {
    const docker = await this.docker();
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: `corral-${spec.sessionId}`,
        Image: spec.image,
        Cmd: ['sleep', '2147483647'],
        User: JAIL_USER,
        WorkingDir: '/workspace',
        Env: [...JAIL_ENV, ...(spec.env ?? [])],
        Labels: { [LABELS.session]: spec.sessionId, [LABELS.owner]: spec.owner, [LABELS.home]: spec.home },
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges', `seccomp=${this.seccomp}`],
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': `rw,nosuid,nodev,exec,size=${spec.limits.tmpBytes}` },
          PidsLimit: spec.limits.pids,
          Memory: spec.limits.memoryBytes,
          MemorySwap: spec.limits.memoryBytes,
          NanoCpus: Math.round(spec.limits.cpus * 1e9),
          Init: true,
          Binds: [`${spec.workspace}:/workspace:rw`, ...(spec.readOnlyMounts ?? []).map((m) => `${m.host}:${m.container}:ro`)],
          MaskedPaths: MASKED_PATHS,
          LogConfig: { Type: 'none', Config: {} },
          RestartPolicy: { Name: 'no' },
        },
      });
    } catch (error) {
      throw translate(error, spec.image);
    }
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw translate(error, spec.image);
    }
    return this.inspect(container.id);
  }

  async spawn(containerId: string, command: string[], options: { tty: boolean; env?: string[]; workdir?: string }): Promise<JailProcess> {
    const docker = await this.docker();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const { exec, stream, done } = await this.inTurn(containerId, async () => {
      const exec = await docker
        .getContainer(containerId)
        .exec({
          Cmd: command,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: options.tty,
          User: JAIL_USER,
          Env: [...JAIL_ENV, ...(options.env ?? [])],
          WorkingDir: options.workdir ?? '/workspace',
        })
        .catch((error: unknown) => {
          throw translate(error);
        });
      const stream = (await exec.start({ hijack: true, stdin: true, Tty: options.tty })) as Duplex;
      if (options.tty) stream.pipe(stdout);
      else docker.modem.demuxStream(stream, stdout, stderr);
      // Listening for the end before waiting below: a short process can end while we wait.
      const done = exitOf(exec, stream, stdout, stderr);
      // The attach answers before runc has put the process in the container: hold the queue until it has.
      await untilStarted(exec);
      return { exec, stream, done };
    });
    return {
      stdin: stream,
      stdout,
      stderr,
      done,
      resize: async (rows, cols) => {
        await exec.resize({ h: rows, w: cols });
      },
      kill: () => stream.destroy(),
    };
  }

  async inspect(containerId: string): Promise<JailInfo> {
    const docker = await this.docker();
    try {
      const info = await docker.getContainer(containerId).inspect();
      return {
        containerId: info.Id,
        state: info.State.Status as JailInfo['state'],
        oomKilled: info.State.OOMKilled,
        ...(info.State.Running ? {} : { exitCode: info.State.ExitCode }),
      };
    } catch (error) {
      throw translate(error);
    }
  }

  async stats(containerId: string): Promise<JailStats> {
    const docker = await this.docker();
    const s = (await docker.getContainer(containerId).stats({ stream: false })) as Docker.ContainerStats;
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
    const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats.online_cpus ?? 1;
    return {
      cpuPercent: systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
      memoryBytes: s.memory_stats.usage ?? 0,
      pids: s.pids_stats?.current ?? 0,
    };
  }

  async start(containerId: string): Promise<void> {
    try {
      await (await this.docker()).getContainer(containerId).start();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 304) throw translate(error);
    }
  }

  async pause(containerId: string): Promise<void> {
    const docker = await this.docker();
    await this.inTurn(containerId, () => docker.getContainer(containerId).pause());
  }

  async resume(containerId: string): Promise<void> {
    const docker = await this.docker();
    await this.inTurn(containerId, () => docker.getContainer(containerId).unpause());
  }

  async remove(containerId: string): Promise<void> {
    this.queues.delete(containerId);
    try {
      // Force removal kills with SIGKILL: a process that ignores SIGTERM cannot hold it up.
      await (await this.docker()).getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw translate(error);
    }
  }

  async list(home: string): Promise<{ containerId: string; sessionId: string; state: JailInfo['state'] }[]> {
    const containers = await (
      await this.docker()
    ).listContainers({
      all: true,
      filters: { label: [`${LABELS.home}=${home}`] },
    });
    return containers.map((c) => ({
      containerId: c.Id,
      sessionId: c.Labels[LABELS.session] ?? '',
      state: c.State as JailInfo['state'],
    }));
  }

  /** Runs `work` after every earlier exec start, pause or unpause of the container has ended. */
  private inTurn<T>(containerId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(containerId) ?? Promise.resolve();
    const turn = previous.then(work, work);
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(containerId, settled);
    void settled.then(() => {
      if (this.queues.get(containerId) === settled) this.queues.delete(containerId);
    });
    return turn;
  }
}

/** The exit status of an exec'd process, once its stream has ended (-1 when the engine cannot say). */
function exitOf(exec: Docker.Exec, stream: Duplex, stdout: PassThrough, stderr: PassThrough): Promise<number> {
  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      stdout.end();
      stderr.end();
      exec.inspect().then(
        (info) => resolve(info.ExitCode ?? -1),
        () => resolve(-1),
      );
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}

/**
 * Waits until the engine reports the exec's process started, with a pid (or already ended). A few inspects
 * of about a millisecond each; bounded, so a wedged engine cannot hold the queue forever.
 */
async function untilStarted(exec: Docker.Exec): Promise<void> {
  for (let attempt = 0, delayMs = 1; attempt < 200; attempt++, delayMs = Math.min(delayMs * 2, 50)) {
    const info = await exec.inspect().catch(() => undefined);
    // `Running` turns true before runc is done (Pid still 0): only a pid or an exit code says it is.
    if (info === undefined || info.Pid > 0 || info.ExitCode !== null) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/** Engine errors as messages that say what to do. */
function translate(error: unknown, image?: string): CorralError {
  const e = error as { statusCode?: number; message?: string; code?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
    return new CorralError(
      ErrorCode.EngineUnavailable,
      `the Docker engine is not reachable (${e.code})`,
      'start it (`sudo bash scripts/provision-docker.sh`) or set DOCKER_HOST; `corral doctor` checks it',
    );
  }
  if (e.statusCode === 404 && image && /image/i.test(message)) {
    return new CorralError(ErrorCode.NotFound, `image ${image} is not on this engine`, 'build it with `corral image build`, or pull it where a registry is reachable');
  }
  if (e.statusCode === 404) {
    return new CorralError(ErrorCode.NotFound, 'the container is gone', 'the session was removed or the engine lost it; start a new session');
  }
  if (e.statusCode === 409) {
    return new CorralError(ErrorCode.Conflict, `the engine refused: ${message}`, 'a container of that name exists already; remove it (`docker rm -f`) or retry');
  }
  if (/resource temporarily unavailable|cannot fork|pids/i.test(message)) {
    return new CorralError(
      ErrorCode.Conflict,
      'the session cannot start another process: it has reached its process limit',
      'stop what runs away in it, or remove it with `corral session rm`',
    );
  }
  if (/no space|cannot allocate|resources/i.test(message)) {
    return new CorralError(ErrorCode.EngineUnavailable, `the engine is out of resources: ${message}`, 'free disk space or memory, or remove idle sessions');
  }
  return new CorralError(ErrorCode.EngineUnavailable, `the Docker engine failed: ${message}`, 'see `corral doctor` and the engine log');
}
