import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { composeDaemon, settingsFromEnv } from './compose';
import { acquireLock, LockHeldError, type DaemonLock } from './daemon/lock';
import { describeError } from './errors';
import { fileLogger, type Logger } from './log';
import { PROTOCOL_VERSION } from './protocol';
import { homePaths, resolveHome, type HomePaths } from './protocol/paths';
import { RpcServer } from './rpc/server';
import { AuthService, issuedTokenUser } from './services/auth';
import { Store } from './store/store';
import { registerWebHandlers } from './web/handlers';
import { WebServer } from './web/server';
import { SERVER_VERSION } from './version';

/** Exit status when another daemon already serves the home: not an error for a racing starter. */
const EXIT_ALREADY_RUNNING = 0;

/**
 * The composition root: the only place that creates the store, the RPC server and (through
 * compose.ts) the ports and services. The socket listens while the store opens; calls other than
 * hello wait for it.
 */
async function main(): Promise<void> {
  const startedAt = new Date();
  const paths = homePaths(resolveHome());
  prepareHome(paths);
  const logger = fileLogger(paths.daemonLog, process.env.CORRAL_LOG_LEVEL === 'debug' ? 'debug' : 'info');
  installCrashLogging(logger);
  const lock = await takeLock(paths);
  const settings = settingsFromEnv(paths);
  // `corral web`: the app in dist/web, its browsers bridged onto this daemon's socket (server/web).
  const web = new WebServer({ socketPath: paths.socket, root: path.join(__dirname, 'web'), logger });

  const opening = Store.open({
    dbPath: paths.db,
    previousPath: paths.dbPrevious,
    journalDir: paths.journal,
    logger,
    snapshotEveryWrites: envNumber('CORRAL_SNAPSHOT_EVERY') ?? 20_000,
  });
  const auth = AuthService.loadOrCreate(paths.token, settings.daemonOwner, PROTOCOL_VERSION, async (hash) => issuedTokenUser(await opening, hash));
  let stopping = false;
  let shutdown: () => void = () => undefined;
  const daemon = opening.then((store) =>
    composeDaemon(store, paths, settings, logger, {
      startedAt,
      connections: () => server.connectionCount,
      broadcast: (user, method, params) => server.broadcast(method, params, (connectionUser) => connectionUser === user),
      requestShutdown: () => shutdown(),
    }),
  );
  const server: RpcServer = new RpcServer(paths.socket, {
    router: daemon.then((d) => {
      registerWebHandlers(d.router, web);
      return d.router;
    }),
    limits: {
      maxMessageBytes: envNumber('CORRAL_MAX_MESSAGE_BYTES') ?? 8 * 1024 * 1024,
      maxHeaderBytes: 8 * 1024,
      maxInFlight: envNumber('CORRAL_MAX_IN_FLIGHT') ?? 64,
    },
    logger,
    authenticate: async (params) => web.authenticateBridge(params) ?? auth.authenticate(params),
    serverVersion: SERVER_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    isStopping: () => stopping,
    onConnectionClosed: (connectionId) => void daemon.then((d) => d.attach.closeConnection(connectionId)).catch(() => undefined),
  });

  shutdown = () => {
    if (stopping) return;
    stopping = true;
    logger.info('daemon stopping');
    void (async () => {
      try {
        await server.close(5000);
        await web.close();
        // A stop during start-up waits for the store to finish opening, then closes it cleanly.
        await (await daemon.catch(() => undefined))?.close();
        await (await opening.catch(() => undefined))?.close();
        lock.release();
        logger.info('daemon stopped');
        process.exit(0);
      } catch (error) {
        logger.error('unclean stop', { error: describeError(error) });
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', () => undefined);

  await server.listen();
  const listeningMs = Math.round(performance.now());
  let composed: Awaited<typeof daemon>;
  try {
    composed = await daemon;
  } catch (error) {
    logger.error('cannot open the store', { error: describeError(error) });
    process.stderr.write(`corral daemon: cannot open the store in ${paths.home}: ${describeError(error)}\n`);
    await server.close(1000);
    lock.release();
    process.exit(1);
  }
  logger.info('daemon ready', { socket: paths.socket, version: SERVER_VERSION, listeningMs, readyMs: Math.round(performance.now()) });
  // Store-only methods already answer; session methods wait for this (T-17).
  void composed.reconciled.then(() => logger.info('sessions reconciled with the engine', { reconciledMs: Math.round(performance.now()) }));
}

async function takeLock(paths: HomePaths): Promise<DaemonLock> {
  try {
    return await acquireLock(paths.lock);
  } catch (error) {
    if (error instanceof LockHeldError) {
      process.stderr.write(`corral daemon: ${error.message}\n`);
      process.exit(EXIT_ALREADY_RUNNING);
    }
    throw error;
  }
}

/** `$CORRAL_HOME` and `logs/` exist and are private to the user (0700). */
function prepareHome(paths: HomePaths): void {
  for (const dir of [paths.home, paths.logs]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
}

/** A positive whole number from the environment (documented in the README), else undefined. */
function envNumber(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function installCrashLogging(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception', { error: describeError(error), stack: error.stack });
    process.exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { error: describeError(reason) });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`corral daemon: failed to start: ${describeError(error)}\n`);
  process.exit(1);
});
