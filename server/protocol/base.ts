import { NotificationType, RequestType } from 'vscode-jsonrpc';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { ErrorData } from './errorCodes';

export { ErrorCode, ERROR_MEANINGS, type ErrorCodeName, type ErrorData } from './errorCodes';

// Readable messages ("Too small: expected string to have >=1 characters") instead of "Invalid input".
z.config(en());

export { PROTOCOL_VERSION } from './version';

/**
 * A request declared once: method name, the schema the daemon checks params against before any
 * handler runs, and the schema of its result (the TypeScript type, the tests' check of what the
 * daemon sends, and docs/protocol.json all come from it). Who may call it is not part of the
 * declaration: the authorization policy's table (server/auth/policy.ts) is the one source. Clients
 * pass it straight to `sendRequest(Decl, params)`.
 */
export class CorralRequest<S extends z.ZodMiniType, R> extends RequestType<z.input<S>, R, ErrorData> {
  constructor(
    method: string,
    readonly params: S,
    readonly result: z.ZodMiniType<R>,
  ) {
    super(method);
  }
}

/** A notification from the daemon to its clients, declared once with the schema of its payload. */
export class CorralNotification<P> extends NotificationType<P> {
  constructor(
    method: string,
    readonly payload: z.ZodMiniType<P>,
  ) {
    super(method);
  }
}

/**
 * Chosen by the client for a long request (`session/start`, `env/build`, `image/build`,
 * `image/pull`); every progress notification of that request carries it back, so a client with
 * several in flight tells their lines apart.
 */
export const ProgressToken = z.string().check(z.minLength(1), z.maxLength(64));

/** A progress line of a long request, with the request's `progressToken` when it gave one. */
export const ProgressLine = z.strictObject({
  message: z.string(),
  progressToken: z.optional(ProgressToken),
});
export type ProgressLine = z.infer<typeof ProgressLine>;

/** Params of a method that takes none. */
export const NoParams = z.optional(z.strictObject({}));

/** An ISO 8601 time in UTC, as the daemon writes every time (`2026-11-23T23:45:48.777Z`). */
export const IsoTime = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'an ISO time in UTC'));
