import { randomBytes } from 'node:crypto';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { ShellExec, ShellOutputNotification } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { execCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

/**
 * `corral exec ID [--timeout S] -- CMD...`: runs in the session's persistent shell, streams
 * stdout and stderr to ours as they come, exits with the command's status. One argument is a
 * shell command line (`corral exec ID -- 'cd src && make'`); several are quoted into one.
 */
export const exec: CommandFunction<typeof execCommand> = async (ctx, { id, command: argv, timeout }) => {
  if (argv.length === 0) throw new CliError('no command given', 'put the command after --: corral exec ID -- ls -la', ExitCode.Usage);
  const timeoutMs = timeout === undefined ? undefined : Math.round(Number(timeout) * 1000);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new CliError(`bad --timeout ${timeout}`, 'give seconds, e.g. --timeout 30', ExitCode.Usage);
  const command = argv.length === 1 ? argv[0]! : argv.map(quote).join(' ');
  const connection = await ctx.connection();
  const execId = randomBytes(6).toString('hex');
  if (!ctx.out.json) {
    connection.rpc.onNotification(ShellOutputNotification, (chunk) => {
      if (chunk.execId !== execId) return;
      (chunk.stream === 'stdout' ? ctx.stdout : ctx.stderr).write(chunk.data);
    });
  }
  // Ctrl-C goes to the jailed command only (the request is cancelled; the daemon kills the
  // command and answers with status 130); a second Ctrl-C leaves at once.
  const cancel = new CancellationTokenSource();
  const interrupts = ctx.onInterrupt(() => cancel.cancel());
  const result = await ctx.call(ShellExec, { session: id, command, execId, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, cancel.token).finally(() => interrupts.dispose());
  if (ctx.out.json) ctx.out.result(result, () => '');
  else {
    if (result.droppedNotifications > 0) ctx.out.note(`${result.droppedNotifications} output chunks were dropped (the terminal was slower than the command)`);
    if (result.timedOut) ctx.out.note(`timed out after ${timeout} s; the command was killed`);
    if (result.interrupted) ctx.out.note('interrupted; the command was killed, the session keeps running');
    if (result.shellRestarted) ctx.out.note('the session shell was restarted: working directory and environment are reset');
  }
  return result.exitCode;
};

/** POSIX single-quoting, so each argument reaches the command as it was typed. */
function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
