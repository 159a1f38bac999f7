import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { ErrorCode, type ErrorData } from '../server/protocol';
import { DaemonUnreachableError } from '../server/protocol/client';
import { DaemonStartError } from '../server/protocol/launch';
import { ExitCode } from './exitCodes';

/** An error the CLI reports as one line of what happened and one line of what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly exitCode: ExitCode = ExitCode.Failure,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The one place where anything thrown becomes a message, a hint and an exit status. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DaemonUnreachableError) {
    return new CliError(error.message, 'start it with `corral daemon start` and see `corral doctor`', ExitCode.DaemonUnavailable);
  }
  if (error instanceof DaemonStartError) {
    return new CliError(error.message, `see the daemon log: ${error.logPath}`, ExitCode.DaemonUnavailable);
  }
  if (error instanceof ResponseError && error.code === ErrorCodes.PendingResponseRejected) {
    return new CliError('the daemon closed the connection before answering', 'see `corral doctor` and $CORRAL_HOME/logs/daemon.log', ExitCode.DaemonUnavailable);
  }
  if (error instanceof ResponseError) {
    const data = error.data as Partial<ErrorData> | undefined;
    return new CliError(
      error.message,
      typeof data?.hint === 'string' ? data.hint : 'see `corral doctor`',
      exitCodeFor(error.code),
      data?.details === undefined ? undefined : JSON.stringify(data.details),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, 'this looks like a bug in corral; rerun with CORRAL_DEBUG=1 for a stack trace', ExitCode.Failure);
}

function exitCodeFor(code: number): ExitCode {
  switch (code) {
    case ErrorCode.InvalidParams:
      return ExitCode.Usage;
    case ErrorCode.NotFound:
      return ExitCode.NotFound;
    case ErrorCode.BadToken:
    case ErrorCode.VersionMismatch:
    case ErrorCode.Forbidden:
    case ErrorCode.NotAuthenticated:
      return ExitCode.Denied;
    case ErrorCode.ShuttingDown:
      return ExitCode.DaemonUnavailable;
    // The daemon's config.json, not the command line, is wrong: the message and hint name the
    // file and the key; a usage status (2) would send the user to the command's flags.
    case ErrorCode.ConfigInvalid:
      return ExitCode.Failure;
    default:
      return ExitCode.Failure;
  }
}
