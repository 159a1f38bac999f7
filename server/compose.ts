import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { Authorizer } from './auth/authorizer';
import { Grants } from './auth/grants';
import { dockerEngine, lazyDocker } from './docker/engine';
import { DEFAULT_IMAGE_TAG } from './docker/images';
import { DockerJail } from './docker/jail';
import { describeError } from './errors';
import { DEFAULT_MAXIMA } from './jail/policy';
import type { JailPort } from './jail/port';
import { SdkProviders } from './llm/providers';
import type { HandedKey, LlmProviders } from './ports/llm';
import type { Logger } from './log';
import { systemClock, type Clock } from './ports/clock';
import { systemScheduler, type Scheduler } from './ports/scheduler';
import type { HostRepo } from './ports/git';
import { gitHostRepo } from './workspace/hostRepo';
import type { EnginePort } from './ports/engine';
import { PROTOCOL_VERSION, SessionChanged, TasksChanged, type DaemonStatus } from './protocol';
import type { HomePaths } from './protocol/paths';
import { buildRouter } from './rpc/handlers';
import type { Router } from './rpc/router';
import { AgentService } from './agent/service';
import { RunFeed } from './agent/runFeed';
import { readConfig } from './config';
import { Ledger } from './ledger/ledger';
import { UsageService } from './analytics/service';
import { registerUsageHandlers } from './rpc/usageHandlers';
import { AttachService } from './services/attach';
import { IssuedTokens } from './services/auth';
import { ImageService } from './services/images';
import { KvService } from './services/kv';
import { UsageQueries } from './services/usage';
import { ProviderKeys } from './services/providerKeys';
import { registerProviderKeyHandlers } from './rpc/providerKeyHandlers';
import { registerAgentStepsHandler } from './agent/stepsHandler';
import { hasContainer } from './sessions/lifecycle';
import { Maintenance } from './sessions/maintenance';
import { reconcile } from './sessions/reconcile';
import { SessionService } from './sessions/service';
import { registerPortHandlers } from './sessions/portHandlers';
import { PortForwards } from './sessions/ports';
import { registerEnvironmentHandlers } from './env/handlers';
import { EnvironmentService } from './env/service';
import { TasksService } from './tasks/service';
import type { Store } from './store/store';
import { SERVER_VERSION } from './version';

/** Settings the daemon reads from its environment (documented in the README). */
export interface DaemonSettings {
  /** The user the daemon runs as: holder of `$CORRAL_HOME/token`, may use everything (server/auth). */
  daemonOwner: string;
  defaultImage: string;
  imageCache: string;
  maxKeptBytes: number;
  maxSessionsPerUser: number;
  poolSize: number;
  idlePauseMs: number;
  maintenanceMs: number;
  retentionMs: number;
}

export function settingsFromEnv(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): DaemonSettings {
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    daemonOwner: os.userInfo().username,
    defaultImage: env.CORRAL_IMAGE ?? DEFAULT_IMAGE_TAG.debian,
    imageCache: env.CORRAL_IMAGE_CACHE ?? path.join(paths.home, 'cache', 'images'),
    maxKeptBytes: number('CORRAL_MAX_OUTPUT_BYTES', 1024 * 1024),
    maxSessionsPerUser: number('CORRAL_MAX_SESSIONS', 20),
    poolSize: Math.floor(number('CORRAL_POOL_SIZE', 0)),
    idlePauseMs: number('CORRAL_IDLE_PAUSE_S', 30 * 60) * 1000,
    maintenanceMs: Math.max(200, number('CORRAL_MAINTENANCE_S', 15) * 1000),
    retentionMs: number('CORRAL_RETENTION_DAYS', 7) * 24 * 3600 * 1000,
  };
}

/**
 * The outside world as the daemon's services see it: the real engine, clock and providers by
 * default; the in-process harness (test/support/harness.ts) passes fakes of the same ports.
 */
export interface DaemonPorts {
  docker: () => Promise<Docker>;
  jail: JailPort;
  engine: EnginePort;
  clock: Clock;
  /** Timers of background work (Node's; the harness's fake clock runs them when it is advanced). */
  scheduler: Scheduler;
  /** git on the host: users' repositories and sessions' checkouts (real git; an in-memory one in service tests). */
  hostRepo: HostRepo;
  /**
   * Makes the provider port, given the keys handed over `provider/setKey`: the official SDKs, one
   * client per configured provider for the daemon's life (server/llm/providers.ts), or a scripted model in tests.
   */
  providers: (handedKey: HandedKey) => LlmProviders;
}

/** The real ports; nothing is loaded or contacted until first used (dockerode is lazy). */
export function realPorts(): DaemonPorts {
  const docker = lazyDocker();
  return {
    docker,
    jail: new DockerJail(docker),
    engine: dockerEngine(docker),
    clock: systemClock,
    scheduler: systemScheduler,
    hostRepo: gitHostRepo,
    // The daemon's environment is where API keys come from; it never reaches a jail.
    providers: (handedKey) => new SdkProviders({ env: globalThis.process.env, handedKey }),
  };
}

export interface Daemon {
  router: Router;
  attach: AttachService;
  /** Resolves once start-up reconciliation with the engine is over (session methods wait for it). */
  reconciled: Promise<void>;
  /** Stops background work and closes the sessions' shells (containers stay for the next daemon). */
  close(): Promise<void>;
}

/** Methods that touch sessions or their containers: they must see the records reconciled with the engine. */
function waitsForReconciliation(method: string): boolean {
  return /^(session|shell|attach)\//.test(method) || method === 'agent/run' || method === 'agent/resume' || method === 'agent/stop';
}

/**
 * The composition root's second half, once the store is open: ports, services, reconciliation
 * with the engine, the background loop, and the method table.
 */
export async function composeDaemon(
  store: Store,
  paths: HomePaths,
  settings: DaemonSettings,
  logger: Logger,
  process: { startedAt: Date; connections(): number; broadcast(user: string, method: string, params: unknown): void; requestShutdown(): void },
  ports: DaemonPorts = realPorts(),
): Promise<Daemon> {
  const { docker, jail, clock } = ports;
  const trusted = path.join(paths.home, 'trusted');
  const attach = new AttachService(jail);
  const grants = new Grants(store, clock, settings.daemonOwner);
  // Sessions are made below; the policy reads their repositories at each decision.
  let sessionReposOf: (sessionUser: string) => string[] = () => [];
  const authorizer = new Authorizer({
    daemonOwner: settings.daemonOwner,
    corralHome: paths.home,
    grantsOf: (user) => grants.of(user),
    sessionReposOf: (sessionUser) => sessionReposOf(sessionUser),
  });
  // Setup commands inherit proxy and registry variables (never credentials: see server/env/network.ts).
  const previews = new PortForwards(jail);
  const environments = new EnvironmentService(docker, { cacheDir: settings.imageCache, defaultImage: settings.defaultImage, hostEnv: globalThis.process.env });
  const sessions = new SessionService(store, jail, clock, {
    home: paths.home,
    worktrees: paths.worktrees,
    trusted,
    defaultImage: settings.defaultImage,
    maxima: DEFAULT_MAXIMA,
    maxKeptBytes: settings.maxKeptBytes,
    maxSessionsPerUser: settings.maxSessionsPerUser,
    poolSize: settings.poolSize,
    redactions: [],
    logger,
    announce: (owner, session) => {
      process.broadcast(owner, SessionChanged.method, session);
      // Preview ports live as long as the session's container runs.
      if (!hasContainer(session.state)) previews.closeSession(session.id);
    },
    authorizeFolder: (sessionUser, folder) => authorizer.folder(authorizer.identityOf(sessionUser), folder),
    environment: (root, progress) => environments.forSession(root, progress),
    hostRepo: ports.hostRepo,
    after: (ms, task) => ports.scheduler.after(ms, task),
  });
  // Removed sessions are not listed: their repositories are no longer the user's through them.
  sessionReposOf = (sessionUser) => sessions.list(sessionUser).flatMap((s) => s.repoRoot ?? s.repo ?? []);
  const dirs = { home: paths.home, worktrees: paths.worktrees, trusted };
  const maintenance = new Maintenance(
    sessions,
    jail,
    store,
    clock,
    logger,
    { ...dirs, intervalMs: settings.maintenanceMs, idlePauseMs: settings.idlePauseMs, retentionMs: settings.retentionMs },
    ports.scheduler,
  );
  // Reconciliation loads dockerode and asks the engine (most of a cold start): it runs while the
  // store-only methods already answer; the session methods wait for it (T-17).
  const reconciled = (async () => {
    await reconcile(sessions, jail, dirs, logger, true).catch((error: unknown) => logger.warn('could not reconcile with the engine at start-up', { error: describeError(error) }));
    await sessions.drainPool().catch((error: unknown) => logger.warn('could not drain the warm pool at start-up', { error: describeError(error) }));
    maintenance.start();
  })();
  const tasks = new TasksService({
    store,
    clock,
    logger,
    announce: (user, board, version) => process.broadcast(user, TasksChanged.method, { board, version }),
    options: () => {
      const config = readConfig(paths.config).tasks;
      return { headingStatus: config?.headingStatus ?? {}, words: config?.words ?? {} };
    },
    authorizer,
  });
  // API keys handed by the owner's clients: this process's memory only, gone with it.
  const providerKeys = new ProviderKeys();
  const usage = new UsageService({
    store,
    clock,
    scheduler: ports.scheduler,
    logger,
    configFile: paths.config,
    announce: (user, method, params) => process.broadcast(user, method, params),
  });
  const router = buildRouter({
    store,
    authorizer,
    grants,
    kv: new KvService(store, clock),
    sessions,
    attach,
    tasks,
    agent: new AgentService({
      store,
      sessions,
      ledger: new Ledger(store, (user) => usage.ledgerChanged(user)),
      clock,
      configFile: paths.config,
      tasks,
      providers: ports.providers((provider) => providerKeys.get(provider)),
    }),
    runFeed: new RunFeed(
      store,
      (user, method, params) => process.broadcast(user, method, params),
      () => clock.now(),
    ),
    tokens: new IssuedTokens(store, clock, settings.daemonOwner),
    images: new ImageService(docker, settings.imageCache),
    usage: new UsageQueries(store, clock),
    defaultImage: settings.defaultImage,
    engine: ports.engine,
    status: (): Omit<DaemonStatus, 'store'> => ({
      pid: globalThis.process.pid,
      version: SERVER_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      home: paths.home,
      socket: paths.socket,
      startedAt: process.startedAt.toISOString(),
      uptimeMs: Date.now() - process.startedAt.getTime(),
      connections: process.connections(),
    }),
    requestShutdown: () => process.requestShutdown(),
  });
  registerEnvironmentHandlers(router, environments, docker);
  registerPortHandlers(router, sessions, previews);
  registerUsageHandlers(router, usage);
  registerProviderKeyHandlers(router, providerKeys);
  registerAgentStepsHandler(router, store);
  router.holdUntil(reconciled, waitsForReconciliation);
  usage.start();
  return {
    router,
    attach,
    reconciled,
    close: async () => {
      await reconciled;
      await maintenance.stop();
      await usage.close();
      tasks.close();
      await sessions.drainPool();
      sessions.close();
      previews.closeAll();
    },
  };
}
