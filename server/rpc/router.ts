import type { CancellationToken } from 'vscode-jsonrpc';
import type * as z from 'zod/mini';
import type { CorralNotification, CorralRequest, Identity, ProgressLine } from '../protocol';

/** What a handler knows about its caller. */
export interface CallContext {
  identity: Identity;
  connectionId: string;
  token: CancellationToken;
  /**
   * Sends a notification to the calling connection only. Returns false (and drops it) when the
   * client is not reading fast enough: a slow client must not grow the daemon's memory.
   */
  notify<P>(type: CorralNotification<P>, params: P): boolean;
}

/** A progress line of a long request, carrying back the `progressToken` its params gave (if any). */
export function progressLine(params: { progressToken?: string | undefined }, message: string): ProgressLine {
  return params.progressToken === undefined ? { message } : { message, progressToken: params.progressToken };
}

export type Handler<S extends z.ZodMiniType, R> = (params: z.output<S>, context: CallContext) => R | Promise<R>;

interface Route {
  request: CorralRequest<z.ZodMiniType, unknown>;
  handler: Handler<z.ZodMiniType, unknown>;
}

/** The edge's question to the authorization policy; throws `Forbidden` to refuse. */
export type Gate = (identity: Identity, method: string) => void;

/**
 * Method name → declaration and handler. Built once by the composition root, shared by
 * connections. Every handler runs behind the gate (server/auth/policy.ts), which refuses a
 * method its table has no row for.
 */
export class Router {
  private readonly routes = new Map<string, Route>();
  private readonly holds: { matches(method: string): boolean; until: Promise<unknown> }[] = [];

  constructor(private readonly gate: Gate) {}

  on<S extends z.ZodMiniType, R>(request: CorralRequest<S, R>, handler: Handler<S, R>): this {
    const method = request.method;
    if (this.routes.has(method)) throw new Error(`${method} is registered twice`);
    const inner = handler as Handler<z.ZodMiniType, unknown>;
    this.routes.set(method, {
      request: request as unknown as CorralRequest<z.ZodMiniType, unknown>,
      handler: (params, context) => {
        this.gate(context.identity, method);
        const hold = this.holds.find((h) => h.matches(method));
        return hold ? hold.until.then(() => inner(params, context)) : inner(params, context);
      },
    });
    return this;
  }

  /**
   * Methods `matches` accepts wait for `until` before their handler runs (refused callers are
   * refused at once); the others answer meanwhile. Start-up holds the session methods until
   * reconciliation with the engine is done, while store-only methods serve (T-17).
   */
  holdUntil(until: Promise<unknown>, matches: (method: string) => boolean): this {
    this.holds.push({ matches, until });
    return this;
  }

  /**
   * The policy's answer for a call, asked by the connection before the params are even parsed
   * (a caller who may not call a method learns nothing more about it); the handlers ask again.
   */
  admit(identity: Identity, method: string): void {
    this.gate(identity, method);
  }

  find(method: string): Route | undefined {
    return this.routes.get(method);
  }

  get methods(): string[] {
    return [...this.routes.keys()];
  }
}
