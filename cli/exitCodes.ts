/**
 * The CLI's own exit statuses (`corral exec` passes the jailed command's status through instead).
 * Documented in docs/cli.md; keep them stable.
 */
export const ExitCode = {
  Ok: 0,
  /** The operation failed, or `doctor` found a failing check. */
  Failure: 1,
  /** Unknown command or flag, missing or bad argument. */
  Usage: 2,
  /** The daemon could not be reached or started. */
  DaemonUnavailable: 3,
  /** A session, task or other named thing does not exist. */
  NotFound: 4,
  /** Refused: bad token, wrong protocol version, not allowed. */
  Denied: 5,
  /** Stopped by Ctrl-C. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
