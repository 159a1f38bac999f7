import { NotificationType, RequestType } from 'vscode-jsonrpc';
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// Readable messages ("Too small: expected string to have >=1 characters") instead of "Invalid input".
z.config(en());

/**
 * Version of the wire protocol. A client and the daemon talk only when these are equal; the
 * daemon names both versions in its refusal so the user knows which side to update.
 */
export const PROTOCOL_VERSION = 1;

/** Who may call a method: anyone (only `corral/hello`), any authenticated caller, or the owner. */
export type Access = 'anyone' | 'user' | 'owner';

/**
 * A request declared once: method name, typed params and result, the schema the daemon checks
 * params against before any handler runs, and who may call it. Clients pass it straight to
 * `sendRequest(Decl, params)`.
 */
export class CorralRequest<S extends z.ZodMiniType, R> extends RequestType<z.input<S>, R, ErrorData> {
  constructor(
    method: string,
    readonly params: S,
    readonly access: Access = 'user',
  ) {
    super(method);
  }
}

/** A notification from the daemon to its clients, declared once. */
export class CorralNotification<P> extends NotificationType<P> {}

/**
 * Application error codes: stable, outside the JSON-RPC reserved range (-32768..-32000).
 * Schema failures use the standard -32602 (InvalidParams) with the same `ErrorData`.
 */
export const ErrorCode = {
  InvalidParams: -32602,
  /** The connection has not called `corral/hello` yet. */
  NotAuthenticated: 1001,
  /** The token in `corral/hello` is not one the daemon issued. */
  BadToken: 1002,
  /** Client and daemon speak different protocol versions. */
  VersionMismatch: 1003,
  /** The caller is authenticated but not allowed to do this. */
  Forbidden: 1004,
  /** Too many requests in flight on this connection. */
  Busy: 1005,
  /** `corral/hello` called twice on one connection. */
  AlreadyAuthenticated: 1006,
  /** Something named in the params does not exist. */
  NotFound: 1007,
  /** The daemon is shutting down and takes no new work. */
  ShuttingDown: 1008,
  /** The store cannot make writes durable (disk full, I/O error). */
  StoreUnavailable: 1009,
  /** The container engine is unreachable, out of resources, or refused. */
  EngineUnavailable: 1010,
  /** The request conflicts with the current state (name taken, session busy). */
  Conflict: 1011,
  /** A command ran past its timeout and was killed. */
  TimedOut: 1012,
  /** The LLM provider refused or failed: bad key, unknown model, context too long, unreachable. */
  ProviderFailed: 1013,
  /** A spending budget (per run, per day, per month) would be exceeded. */
  BudgetExceeded: 1014,
  /** An image is neither on the engine nor pullable from a registry. */
  ImageUnavailable: 1020,
  /** A bug or an unexpected failure inside the daemon; the log has the details. */
  Internal: 1099,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Carried in every error response: what to do next, and optional structured detail. */
export interface ErrorData {
  hint: string;
  details?: unknown;
}
