import type { CommandFunction, CommandSpec, Options } from './command';
import type { CliContext } from './context';
import { toCliError } from './errors';
import type { TextSink } from './output';

/**
 * Runs a command to its exit status: the one it returns, or the one its error maps to (reported
 * on stderr). The context — and so the daemon connection — is disposed however it ends. main.ts
 * sets the process's status from it; in-process tests call it with a context of memory streams.
 */
export async function invoke<S extends CommandSpec>(ctx: CliContext, command: CommandFunction<S>, options: Options<S>): Promise<number> {
  try {
    return await command(ctx, options);
  } catch (error) {
    return reportError(ctx.stderr, error, { verbose: ctx.verbose, debug: ctx.env.CORRAL_DEBUG === '1' });
  } finally {
    ctx.dispose();
  }
}

/** The one way an error reaches the user: what happened, what to do, and the exit status it means. */
export function reportError(stderr: TextSink, error: unknown, flags: { verbose: boolean; debug: boolean }): number {
  const failure = toCliError(error);
  stderr.write(`corral: error: ${failure.message}\n`);
  stderr.write(`hint: ${failure.hint}\n`);
  if (flags.verbose && failure.detail) stderr.write(`detail: ${failure.detail}\n`);
  if (flags.debug && error instanceof Error) stderr.write(`${error.stack}\n`);
  return failure.exitCode;
}
