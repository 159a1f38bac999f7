import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { composeDaemon, settingsFromEnv, type Daemon, type DaemonSettings } from '../../server/compose';
import type { Config } from '../../server/config';
import type { HostRepo } from '../../server/ports/git';
import type { HandedKey, LlmProviders } from '../../server/ports/llm';
import { gitHostRepo } from '../../server/workspace/hostRepo';
import { memoryLogger } from '../../server/log';
import { AuthIssue, Hello, PROTOCOL_VERSION, type HelloResult } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { homePaths, type HomePaths } from '../../server/protocol/paths';
import { RpcServer } from '../../server/rpc/server';
import { AuthService, issuedTokenUser } from '../../server/services/auth';
import { Store } from '../../server/store/store';
import { SERVER_VERSION } from '../../server/version';
import { FakeClock } from './fakeClock';
import { basicScript, FakeJail, type CommandScript } from './fakeJail';
import { tempHome } from './home';
import { checkWire } from './wire';
import { ScriptedLlm, scriptedProviders, type ScriptedTurn } from './scriptedLlm';

/**
 * The daemon in this process: the real composition (server/compose.ts), method table, hello gate,
 * param validation and error translation (server/rpc/), a real sql.js store with its journal in a
 * temporary home, and clients speaking JSON-RPC over an in-memory stream pair. The outside world
 * is replaced through the composition's ports: a fake jail (test/support/fakeJail.ts), a scripted
 * model, a fake clock that is also the scheduler (its timers run only as the test advances it),
 * no Docker. A service test on it runs in milliseconds. Real git stays the host repository port
 * unless a test passes test/support/memoryRepo.ts.
 */

export interface HarnessOptions {
  /** What commands do in the fake jail (default: echo, true, false, exit N). */
  script?: CommandScript;
  /** A fake jail prepared by the test (e.g. with `holdList`); else a new one with `script`. */
  jail?: FakeJail;
  /** The scripted model's turns for agent runs. */
  turns?: ScriptedTurn[];
  /** git on the host: real git unless a test gives test/support/memoryRepo.ts's. */
  hostRepo?: HostRepo;
  /** The provider port instead of the scripted model (e.g. the real SDKs against test/support/fakeLlm.ts). */
  providers?: (handedKey: HandedKey) => LlmProviders;
  /** Written to $CORRAL_HOME/config.json before the daemon starts. */
  config?: Config;
  /** The fake clock's start. */
  now?: string;
  settings?: Partial<DaemonSettings>;
}

export interface Notification {
  method: string;
  params: unknown;
}

/** A connected, authenticated client, like `connectDaemon`'s, that also keeps what it was sent. */
export interface HarnessClient extends DaemonConnection {
  readonly user: string;
  /** Every notification received, in order. */
  readonly notifications: Notification[];
  /** The first notification (already received or still to come) of `method` that `matches`. */
  next(method: string, matches?: (params: unknown) => boolean): Promise<unknown>;
}

export interface Harness {
  home: string;
  paths: HomePaths;
  store: Store;
  daemon: Daemon;
  clock: FakeClock;
  jail: FakeJail;
  llm: ScriptedLlm;
  logger: ReturnType<typeof memoryLogger>;
  /** The daemon's owner (the user this process runs as). */
  owner: string;
  /** A client as the daemon's owner, or as `user` with a token issued to them. */
  connect(user?: string): Promise<HarnessClient>;
  /** Closes clients, daemon and store, and removes the home. */
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const temp = tempHome('hx');
  const paths = homePaths(temp.home);
  fs.mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  if (options.config) fs.writeFileSync(paths.config, JSON.stringify(options.config));
  const logger = memoryLogger();
  const store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger });
  // No environment variable of the test run reaches the daemon's settings.
  const settings: DaemonSettings = { ...settingsFromEnv(paths, {}), defaultImage: 'corral/fake:latest', maintenanceMs: 3_600_000, ...options.settings };
  const clock = new FakeClock(options.now);
  const jail = options.jail ?? new FakeJail(options.script ?? basicScript);
  const llm = new ScriptedLlm(options.turns);
  const auth = AuthService.loadOrCreate(paths.token, settings.daemonOwner, PROTOCOL_VERSION, async (hash) => issuedTokenUser(store, hash));
  const noDocker = (): Promise<never> => Promise.reject(new Error('the in-process harness has no Docker engine'));
  const composing = composeDaemon(
    store,
    paths,
    settings,
    logger,
    {
      startedAt: clock.now(),
      connections: () => rpcServer.connectionCount,
      broadcast: (user, method, params) => rpcServer.broadcast(method, params, (connectionUser) => connectionUser === user),
      requestShutdown: () => undefined,
    },
    {
      docker: noDocker,
      jail,
      engine: { ping: noDocker, image: async () => undefined },
      clock,
      scheduler: clock,
      hostRepo: options.hostRepo ?? gitHostRepo,
      providers: options.providers ?? (() => scriptedProviders(llm)),
    },
  );
  // Never listens: the harness hands it in-memory streams (accept), and it answers as the daemon's does.
  const rpcServer = new RpcServer(path.join(temp.home, 'harness.sock'), {
    router: composing.then((d) => d.router),
    limits: { maxMessageBytes: 8 * 1024 * 1024, maxHeaderBytes: 8 * 1024, maxInFlight: 64 },
    logger,
    authenticate: (params) => auth.authenticate(params),
    serverVersion: SERVER_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    isStopping: () => false,
    onConnectionClosed: (connectionId) => void composing.then((d) => d.attach.closeConnection(connectionId)),
  });
  const daemon = await composing;
  const clients = new Set<HarnessClient>();
  const ownerToken = fs.readFileSync(paths.token, 'utf8').trim();
  let ownerClient: HarnessClient | undefined;

  const connectWith = async (token: string): Promise<HarnessClient> => {
    const [near, far] = streamPair();
    rpcServer.accept(far);
    const client = await openClient(near, token);
    clients.add(client);
    void client.closed.then(() => clients.delete(client));
    return client;
  };

  return {
    home: temp.home,
    paths,
    store,
    daemon,
    clock,
    jail,
    llm,
    logger,
    owner: settings.daemonOwner,
    async connect(user) {
      if (user === undefined || user === settings.daemonOwner) return connectWith(ownerToken);
      ownerClient ??= await connectWith(ownerToken);
      const issued = await ownerClient.rpc.sendRequest(AuthIssue, { user });
      return connectWith(issued.token);
    },
    async close() {
      for (const client of clients) client.dispose();
      await rpcServer.close(1000);
      await daemon.close();
      await store.close();
      temp.cleanup();
    },
  };
}

async function openClient(stream: Duplex, token: string): Promise<HarnessClient> {
  const reader = new StreamMessageReader(stream);
  reader.partialMessageTimeout = 0;
  // Every result and notification is checked against its declaration (test/support/wire.ts).
  const rpc: MessageConnection = checkWire(createMessageConnection(reader, new StreamMessageWriter(stream)));
  const notifications: Notification[] = [];
  const waiters: { method: string; matches(params: unknown): boolean; resolve(params: unknown): void }[] = [];
  rpc.onNotification((method: string, params: unknown) => {
    notifications.push({ method, params });
    for (const waiter of [...waiters]) {
      if (waiter.method !== method || !waiter.matches(params)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(params);
    }
  });
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve())).then(() => rpc.dispose());
  rpc.listen();
  const dispose = (): void => {
    rpc.dispose();
    stream.destroy();
  };
  let hello: HelloResult;
  try {
    hello = await rpc.sendRequest(Hello, { protocolVersion: PROTOCOL_VERSION, token, client: { kind: 'test' } });
  } catch (error) {
    dispose();
    throw error;
  }
  return {
    rpc,
    hello,
    closed,
    dispose,
    user: hello.identity.user,
    notifications,
    next(method, matches = () => true) {
      const seen = notifications.find((n) => n.method === method && matches(n.params));
      if (seen) return Promise.resolve(seen.params);
      return new Promise((resolve) => waiters.push({ method, matches, resolve }));
    },
  };
}

/** One end of an in-memory, full-duplex byte stream: what one end writes, the other reads. */
class StreamEnd extends Duplex {
  peer: StreamEnd | undefined;
  private eof = false;

  constructor() {
    // Like a socket: when the peer's side ends, this side ends too, and then closes.
    super({ allowHalfOpen: false });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.deliver(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.deliver(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.peer?.deliver(null);
    callback(error);
  }

  private deliver(chunk: Buffer | null): void {
    if (this.eof || this.destroyed) return;
    if (chunk === null) this.eof = true;
    this.push(chunk);
  }
}

function streamPair(): [StreamEnd, StreamEnd] {
  const a = new StreamEnd();
  const b = new StreamEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
