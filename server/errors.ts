import { ErrorCode } from './protocol';

/**
 * The one error type domain code throws: a stable code, what happened, and what to do next.
 * The RPC edge turns it into a `ResponseError`; anything else thrown becomes `Internal`.
 */
export class CorralError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CorralError';
  }
}

/** The message of anything thrown, for logs and error details. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
