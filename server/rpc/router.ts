import type { CancellationToken } from 'vscode-jsonrpc';
import type * as z from 'zod/mini';
import type { CorralNotification, CorralRequest, Identity } from '../protocol';

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

export type Handler<S extends z.ZodMiniType, R> = (params: z.output<S>, context: CallContext) => R | Promise<R>;

interface Route {
  request: CorralRequest<z.ZodMiniType, unknown>;
  handler: Handler<z.ZodMiniType, unknown>;
}

/** Method name → declaration and handler. Built once by the composition root, shared by connections. */
export class Router {
  private readonly routes = new Map<string, Route>();

  on<S extends z.ZodMiniType, R>(request: CorralRequest<S, R>, handler: Handler<S, R>): this {
    if (this.routes.has(request.method)) throw new Error(`${request.method} is registered twice`);
    this.routes.set(request.method, {
      request: request as unknown as CorralRequest<z.ZodMiniType, unknown>,
      handler: handler as Handler<z.ZodMiniType, unknown>,
    });
    return this;
  }

  find(method: string): Route | undefined {
    return this.routes.get(method);
  }

  get methods(): string[] {
    return [...this.routes.keys()];
  }
}
