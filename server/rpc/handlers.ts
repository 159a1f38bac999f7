import type { Store } from '../store/store';
import type { KvService } from '../services/kv';
import type { EnginePort } from '../ports/engine';
import { daemonChecks } from '../services/doctor';
import { DaemonDoctor, DaemonShutdown, DaemonStatusRequest, KvDelete, KvGet, KvList, KvPut, type DaemonStatus } from '../protocol';
import { Router } from './router';

export interface Services {
  store: Store;
  kv: KvService;
  engine: EnginePort;
  /** Process facts for `daemon/status`, without the store (added here). */
  status(): Omit<DaemonStatus, 'store'>;
  /** Starts a graceful shutdown after the reply has gone out. */
  requestShutdown(): void;
}

/** Every RPC method and the service call behind it: the daemon's whole surface in one table. */
export function buildRouter(services: Services): Router {
  return new Router()
    .on(DaemonStatusRequest, () => ({ ...services.status(), store: services.store.status() }))
    .on(DaemonDoctor, async () => ({ checks: await daemonChecks(services.store.status(), services.engine) }))
    .on(DaemonShutdown, () => {
      setImmediate(() => services.requestShutdown());
      return { stopping: true as const };
    })
    .on(KvPut, (params, { identity }) => services.kv.put(identity.user, params.key, params.value))
    .on(KvGet, (params, { identity }) => services.kv.get(identity.user, params.key))
    .on(KvList, (params, { identity }) => services.kv.list(identity.user, params.prefix))
    .on(KvDelete, async (params, { identity }) => ({ deleted: await services.kv.delete(identity.user, params.key) }));
}
