import type Docker from 'dockerode';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { followProgress, type LineSink } from './containers';

/** How long a pull may take to get its first answer before Corral says no registry answers. */
export const PULL_TIMEOUT_MS = 15_000;

/**
 * `image` on the engine: there already, or pulled from its registry. When no registry answers
 * (these machines reach none), an ImageUnavailable error within seconds naming the image and how
 * to build offline instead.
 */
export async function ensureImage(docker: Docker, image: string, say: LineSink, timeoutMs = PULL_TIMEOUT_MS): Promise<'image' | 'pulled'> {
  if (
    await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined)
  )
    return 'image';
  say(`pulling ${image}`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let reason: string | undefined;
  try {
    const stream = (await docker.pull(image, { abortSignal: controller.signal })) as NodeJS.ReadableStream;
    reason = (await followProgress(docker, stream, say)).error;
  } catch (error) {
    reason = controller.signal.aborted ? `no registry answered within ${Math.round(timeoutMs / 1000)} s` : (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
  if (
    reason === undefined &&
    (await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined))
  )
    return 'pulled';
  throw new CorralError(
    ErrorCode.ImageUnavailable,
    `image ${image} is not on this engine and could not be pulled: ${reason ?? 'the pull ended without it'}`,
    'build one offline instead: `corral image build` (corral/debian), or a Dockerfile FROM corral/debian:latest named in .corral/environment.json or .devcontainer/devcontainer.json; or `docker load` it from a file',
    { image },
  );
}
