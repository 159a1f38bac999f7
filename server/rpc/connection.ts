import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { type CancellationToken, createMessageConnection, ErrorCodes, type MessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CorralError, describeError } from '../errors';
import type { Logger } from '../log';
import { ErrorCode, type ErrorData, Hello, type HelloResult, type Identity } from '../protocol';
import { FrameGuard, type FrameLimits } from './frameGuard';
import type * as z from 'zod/mini';
import type { Router } from './router';

/** Past this much unsent data on a socket, notifications to it are dropped (and counted by the sender). */
const MAX_BUFFERED_NOTIFICATION_BYTES = 4 * 1024 * 1024;
const MAX_PENDING_NOTIFICATIONS = 256;

export interface ConnectionLimits extends FrameLimits {
  /** Requests one connection may have running at once; more are refused with `Busy`. */
  maxInFlight: number;
}

export interface ConnectionDeps {
  /**
   * Resolves once the store is open. The socket accepts (and answers hello) before that, so a
   * client's connect and handshake overlap the daemon's start-up; other calls wait for it.
   */
  router: Promise<Router>;
  limits: ConnectionLimits;
  logger: Logger;
  /** Checks hello's token and version; returns the caller's identity or throws a CorralError. */
  authenticate(params: { protocolVersion: number; token: string }): Promise<Identity>;
  serverVersion: string;
  protocolVersion: number;
  /** True once the daemon is stopping: new requests are refused. */
  isStopping(): boolean;
  /** Told when a connection has closed, to release what it held (TTY attachments). */
  onConnectionClosed?(connectionId: string): void;
}

/**
 * One client on the socket: its own JSON-RPC connection, hello gate, in-flight bound and error
 * translation. A framing or parse error closes this connection only. Any duplex stream will do
 * (a Unix socket in the daemon, an in-memory pair in test/support/harness.ts).
 */
export class ClientConnection {
  readonly id = randomUUID().slice(0, 8);
  private identity: Identity | undefined;
  private inFlight = 0;
  private pendingNotifications = 0;
  private readonly rpc: MessageConnection;
  private readonly running = new Set<Promise<unknown>>();
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Duplex,
    private readonly deps: ConnectionDeps,
  ) {
    const guard = new FrameGuard(deps.limits);
    guard.on('error', (error) => this.abort(`bad frame: ${error.message}`));
    socket.on('error', (error) => this.abort(`socket error: ${error.message}`));
    socket.pipe(guard);
    const reader = new StreamMessageReader(guard);
    // Its partial-message timer re-arms forever once a client dies mid-message (a leak per bad
    // client); the frame guard already bounds what a partial message can hold.
    reader.partialMessageTimeout = 0;
    this.rpc = createMessageConnection(reader, new StreamMessageWriter(socket));
    this.rpc.onError(([error]) => this.abort(`protocol error: ${error.message}`));
    this.rpc.onRequest((method, params, token) => this.dispatch(method, params, token));
    this.rpc.onNotification((method) => deps.logger.warn('unexpected notification', { conn: this.id, method }));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      this.rpc.dispose();
      deps.onConnectionClosed?.(this.id);
    });
    this.rpc.listen();
  }

  get user(): string | undefined {
    return this.identity?.user;
  }

  /** Sends a notification to this client if it is authenticated and keeping up; false if dropped. */
  notify<P>(method: string, params: P): boolean {
    if (!this.identity || this.socket.destroyed) return false;
    // vscode-jsonrpc queues each write until the previous one has reached the kernel, so a client
    // that stops reading grows that queue, not the socket's buffer: bound both.
    if (this.pendingNotifications >= MAX_PENDING_NOTIFICATIONS) return false;
    if (this.socket.writableLength > MAX_BUFFERED_NOTIFICATION_BYTES) return false;
    this.pendingNotifications++;
    void this.rpc
      .sendNotification(method, params)
      .catch(() => undefined)
      .finally(() => this.pendingNotifications--);
    return true;
  }

  /** Waits for this connection's running requests (for graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
    // vscode-jsonrpc's writer hands each reply to the socket from a setImmediate of its own,
    // queued when the handler settled: two turns later every reply is in the socket's buffer.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Ends the connection after what was written has been flushed (destroy would drop replies). */
  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private abort(reason: string): void {
    if (this.socket.destroyed) return;
    this.deps.logger.warn('closing connection', { conn: this.id, user: this.identity?.user, reason });
    this.socket.destroy();
  }

  private async dispatch(method: string, params: unknown, token: CancellationToken): Promise<unknown> {
    const began = performance.now();
    const started = this.call(method, params, token);
    this.running.add(started);
    try {
      const answer = await started;
      if (this.deps.logger.enabled('debug')) {
        const ms = performance.now() - began;
        const declaration = method === Hello.method ? Hello : (await this.deps.router).find(method)?.request;
        this.logRequest(method, params, answer, ms, declaration?.result);
      }
      return answer;
    } finally {
      this.running.delete(started);
    }
  }

  /**
   * `CORRAL_LOG_LEVEL=debug`: one line per request with its method, duration, sizes and error
   * code. Sizes only, never contents: params carry tokens (`corral/hello`) and keys
   * (`provider/setKey`), results carry issued tokens (`auth/issue`). The result is also checked
   * against its declaration's schema, so drift between a service and the protocol shows in the
   * log of a real daemon, not only in the tests: a mismatch is a warning naming the field.
   */
  private logRequest(method: string, params: unknown, answer: unknown, ms: number, result: z.ZodMiniType | undefined): void {
    const failed = answer instanceof ResponseError;
    this.deps.logger.debug('request', {
      conn: this.id,
      user: this.identity?.user,
      method,
      ms: Math.round(ms * 10) / 10,
      paramsBytes: byteSize(params),
      ...(failed ? { code: answer.code } : { resultBytes: byteSize(answer) }),
    });
    if (failed || result === undefined) return;
    const checked = result.safeParse(answer);
    if (checked.success) return;
    // Where and what kind of mismatch, never the value itself.
    const issue = checked.error.issues[0];
    this.deps.logger.warn('result does not match its declaration', {
      conn: this.id,
      method,
      field: issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top)',
      problem: issue?.code ?? 'invalid',
      issues: checked.error.issues.length,
    });
  }

  private async call(method: string, rawParams: unknown, token: CancellationToken): Promise<unknown> {
    const route = method === Hello.method ? undefined : (await this.deps.router).find(method);
    if (!route && method !== Hello.method) {
      return new ResponseError<ErrorData>(ErrorCodes.MethodNotFound, `unknown method ${method}`, {
        hint: 'the client and daemon may be of different versions: run `corral daemon status`',
      });
    }
    if (this.deps.isStopping()) {
      return toResponseError(new CorralError(ErrorCode.ShuttingDown, 'the daemon is shutting down', 'retry in a moment; it restarts on demand'));
    }
    if (this.inFlight >= this.deps.limits.maxInFlight) {
      return toResponseError(
        new CorralError(ErrorCode.Busy, `too many requests in flight on this connection (limit ${this.deps.limits.maxInFlight})`, 'wait for earlier replies before sending more'),
      );
    }
    this.inFlight++;
    try {
      if (method === Hello.method) return await this.hello(rawParams);
      if (!this.identity) {
        throw new CorralError(ErrorCode.NotAuthenticated, `${method} called before corral/hello`, 'call corral/hello first with the token from $CORRAL_HOME/token');
      }
      const request = route!.request;
      // Who may call what is the policy table's alone (server/auth/policy.ts), asked through the router.
      (await this.deps.router).admit(this.identity, method);
      const parsed = request.params.safeParse(rawParams);
      if (!parsed.success) throw invalidParams(method, parsed.error.issues);
      return await route!.handler(parsed.data, {
        identity: this.identity,
        connectionId: this.id,
        token,
        notify: (type, params) => this.notify(type.method, params),
      });
    } catch (error) {
      if (!(error instanceof CorralError)) {
        this.deps.logger.error('request failed', { conn: this.id, method, error: describeError(error), stack: (error as Error)?.stack });
      }
      return toResponseError(error);
    } finally {
      this.inFlight--;
    }
  }

  private async hello(rawParams: unknown): Promise<HelloResult> {
    if (this.identity) {
      throw new CorralError(ErrorCode.AlreadyAuthenticated, 'corral/hello was already called on this connection', 'open a new connection to change identity');
    }
    const parsed = Hello.params.safeParse(rawParams);
    if (!parsed.success) throw invalidParams(Hello.method, parsed.error.issues);
    const identity = await this.deps.authenticate(parsed.data);
    if (this.identity) throw new CorralError(ErrorCode.AlreadyAuthenticated, 'corral/hello was already called on this connection', 'open a new connection to change identity');
    this.identity = identity;
    this.deps.logger.info('client connected', { conn: this.id, user: identity.user, client: parsed.data.client });
    return {
      serverVersion: this.deps.serverVersion,
      protocolVersion: this.deps.protocolVersion,
      identity,
      connectionId: this.id,
    };
  }
}

/** Bytes of a value as JSON on the wire (0 for none). */
function byteSize(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function invalidParams(method: string, issues: readonly { path: PropertyKey[]; message: string }[]): CorralError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? first.path.map(String).join('.') : 'params';
  return new CorralError(
    ErrorCode.InvalidParams,
    `invalid params for ${method}: ${where}: ${first?.message ?? 'invalid'}`,
    'check the request against its declaration in server/protocol',
    issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  );
}

/** The one place domain errors become wire errors; anything unexpected becomes `Internal`. */
export function toResponseError(error: unknown): ResponseError<ErrorData> {
  if (error instanceof CorralError) {
    return new ResponseError<ErrorData>(error.code, error.message, {
      hint: error.hint,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  return new ResponseError<ErrorData>(ErrorCode.Internal, `internal error: ${describeError(error)}`, {
    hint: 'this is a bug in the corral daemon; its log ($CORRAL_HOME/logs/daemon.log) has details',
  });
}
