import { describeError } from '../errors';
import type { Check, StoreStatus } from '../protocol';
import type { EnginePort } from '../ports/engine';

/** The daemon's side of `corral doctor`: store health and the container engine. */
export async function daemonChecks(store: StoreStatus, engine: EnginePort, defaultImage: string): Promise<Check[]> {
  const engineResult = await engineCheck(engine);
  return [storeCheck(store), engineResult, ...(engineResult.status === 'ok' ? [await imageCheck(engine, defaultImage)] : [])];
}

async function imageCheck(engine: EnginePort, tag: string): Promise<Check> {
  const image = await engine.image(tag).catch(() => undefined);
  if (!image) {
    return {
      id: 'image',
      title: 'Workspace image',
      status: 'warn',
      detail: `${tag} is not on the engine; sessions need it`,
      hint: 'build it with `corral image build` (debian, needs root) or `corral image build --base tiny`, or set CORRAL_IMAGE',
    };
  }
  return { id: 'image', title: 'Workspace image', status: 'ok', detail: `${tag} (${Math.round(image.sizeBytes / 1024 / 1024)} MB)` };
}

export function storeCheck(store: StoreStatus): Check {
  if (store.failure !== undefined) {
    return {
      id: 'store',
      title: 'Store',
      status: 'fail',
      detail: store.failure,
      hint: 'free disk space or fix permissions in $CORRAL_HOME, then `corral daemon stop` (the next command restarts it)',
    };
  }
  const base = `${store.path}: schema ${store.schemaVersion}, ${store.lastSeq} writes, journal ${store.journalBytes} bytes`;
  if (store.recovery.length > 0) {
    return {
      id: 'store',
      title: 'Store',
      status: 'warn',
      detail: `${base}; recovered at start: ${store.recovery.map((e) => e.message).join('; ')}`,
      hint: 'data after the damaged point was dropped and kept in *.dropped files; see logs/daemon.log for the full report',
    };
  }
  return { id: 'store', title: 'Store', status: 'ok', detail: base };
}

async function engineCheck(engine: EnginePort): Promise<Check> {
  try {
    const info = await engine.ping();
    return {
      id: 'docker',
      title: 'Docker engine',
      status: 'ok',
      detail: `Docker ${info.version} (API ${info.apiVersion}) at ${info.host}`,
    };
  } catch (error) {
    return {
      id: 'docker',
      title: 'Docker engine',
      status: 'fail',
      detail: `not reachable: ${describeError(error)}`,
      hint: 'start the engine (`sudo bash scripts/provision-docker.sh`, or `dockerd`), or set DOCKER_HOST to a reachable one',
    };
  }
}
