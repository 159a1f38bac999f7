// Its own bundle (dist/dockerode.js), loaded on first use: dockerode and what it pulls in
// (ssh2, grpc) are larger than the rest of the daemon together.
import Dockerode from 'dockerode';

/** A client for the engine that DOCKER_HOST (and the TLS variables) name, else the local socket. */
export function createDocker(): Dockerode {
  return new Dockerode();
}
