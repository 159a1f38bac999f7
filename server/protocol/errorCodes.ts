/**
 * Application error codes of the protocol: stable, outside the JSON-RPC reserved range
 * (-32768..-32000) except InvalidParams, which schema failures share with JSON-RPC. This module
 * imports nothing, so any client (a web page, a script) can name the codes without the rest.
 */
export const ErrorCode = {
  InvalidParams: -32602,
  NotAuthenticated: 1001,
  BadToken: 1002,
  VersionMismatch: 1003,
  Forbidden: 1004,
  Busy: 1005,
  AlreadyAuthenticated: 1006,
  NotFound: 1007,
  ShuttingDown: 1008,
  StoreUnavailable: 1009,
  EngineUnavailable: 1010,
  Conflict: 1011,
  TimedOut: 1012,
  ProviderFailed: 1013,
  BudgetExceeded: 1014,
  ConfigInvalid: 1015,
  ImageUnavailable: 1020,
  Internal: 1099,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export type ErrorCodeName = keyof typeof ErrorCode;

/** What each code means: the one text behind docs/protocol.json's error list. */
export const ERROR_MEANINGS: Record<ErrorCodeName, string> = {
  InvalidParams: "The params do not match the method's declaration; `details` lists each problem by path.",
  NotAuthenticated: 'The connection has not called `corral/hello` yet.',
  BadToken: 'The token in `corral/hello` is not one the daemon issued.',
  VersionMismatch: 'Client and daemon speak different protocol versions; the message says which side to update.',
  Forbidden: 'The caller is authenticated but not allowed to do this.',
  Busy: 'Too many requests in flight on this connection.',
  AlreadyAuthenticated: '`corral/hello` called twice on one connection.',
  NotFound: 'Something named in the params does not exist.',
  ShuttingDown: 'The daemon is shutting down and takes no new work.',
  StoreUnavailable: 'The store cannot make writes durable (disk full, I/O error).',
  EngineUnavailable: 'The container engine is unreachable, out of resources, or refused.',
  Conflict: 'The request conflicts with the current state (name taken, session busy).',
  TimedOut: 'A command ran past its timeout and was killed.',
  ProviderFailed: 'The LLM provider refused or failed: bad key, unknown model, context too long, unreachable.',
  BudgetExceeded: 'A spending budget (per run, per day, per month) would be exceeded.',
  ConfigInvalid: "The daemon's config file ($CORRAL_HOME/config.json) cannot be read or is not valid; the message names the file and the bad key.",
  ImageUnavailable: 'An image is neither on the engine nor pullable from a registry.',
  Internal: 'A bug or an unexpected failure inside the daemon; the log has the details.',
};

/** Carried in every error response: what to do next, and optional structured detail. */
export interface ErrorData {
  hint: string;
  details?: unknown;
}
