import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';

/** How long one step of a build (an apt install, a setup command) may take. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/** Lines of output, as they come, from a process in a build container. */
export type LineSink = (line: string) => void;

/**
 * Runs `command` in a running build container as `user`, calling `onLine` per output line and
 * keeping the last `keep` lines; resolves with the exit code and that tail.
 */
export async function execInContainer(
  container: Docker.Container,
  command: string[],
  options: { user: string; env?: string[]; workdir?: string; onLine?: LineSink; keep?: number; timeoutMs?: number },
): Promise<{ exitCode: number; tail: string[]; timedOut: boolean }> {
  const exec = await container.exec({
    Cmd: command,
    AttachStdout: true,
    AttachStderr: true,
    User: options.user,
    Env: options.env ?? [],
    WorkingDir: options.workdir ?? '/',
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  const out = new PassThrough();
  container.modem.demuxStream(stream, out, out);
  const tail: string[] = [];
  const keep = options.keep ?? 60;
  let partial = '';
  const take = (line: string): void => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onLine?.(line);
  };
  out.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  // A setup that hangs (a registry that never answers, a prompt) must not hold a session start forever:
  // the build container is killed, which ends the exec.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void container.kill().catch(() => undefined);
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  clearTimeout(timer);
  if (partial !== '') take(partial);
  const info = await exec.inspect().catch(() => ({ ExitCode: -1 }));
  return { exitCode: timedOut ? 124 : (info.ExitCode ?? -1), tail, timedOut };
}

/** Follows an engine progress stream (build, import, pull) to its end, one message per step. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onLine?: LineSink): Promise<{ error?: string }> {
  return new Promise((resolve) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output.find((o) => o.error !== undefined)?.error;
        resolve(failed === undefined ? {} : { error: failed });
      },
      (event: { stream?: string; status?: string; error?: string }) => {
        const text = (event.stream ?? event.status ?? event.error ?? '').trimEnd();
        if (text !== '') for (const line of text.split('\n')) onLine?.(line);
      },
    );
  });
}
