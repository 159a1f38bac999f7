import type Docker from 'dockerode';
import type { EnginePort } from '../ports/engine';

/**
 * Creates the dockerode client on first use: loading dockerode costs more than the rest of the
 * daemon's start-up, and many daemon runs never talk to the engine.
 */
export function lazyDocker(): () => Promise<Docker> {
  let client: Promise<Docker> | undefined;
  return () => (client ??= import('./dockerode').then(({ createDocker }) => createDocker()));
}

/** The engine port on dockerode; `DOCKER_HOST` and the TLS variables are honoured by dockerode itself. */
export function dockerEngine(getDocker: () => Promise<Docker>, timeoutMs = 3000): EnginePort {
  return {
    async ping() {
      const docker = await getDocker();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const version = await Promise.race([docker.version(), timeout]);
        return { version: version.Version, apiVersion: version.ApiVersion, host: describeHost() };
      } finally {
        clearTimeout(timer);
      }
    },
    async image(tag) {
      const info = await (
        await getDocker()
      )
        .getImage(tag)
        .inspect()
        .catch(() => undefined);
      return info ? { id: info.Id, sizeBytes: info.Size } : undefined;
    },
  };
}

function describeHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}
