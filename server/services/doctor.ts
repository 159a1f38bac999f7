import { describeError } from '../errors';
import type { Check, StoreStatus } from '../protocol';
import type { EnginePort } from '../ports/engine';

/** The daemon's side of `corral doctor`: store health and the container engine. */
export async function daemonChecks(store: StoreStatus, engine: EnginePort): Promise<Check[]> {
  return [storeCheck(store), await engineCheck(engine)];
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
