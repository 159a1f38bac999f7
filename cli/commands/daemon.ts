import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonShutdown, DaemonStatusRequest, type DaemonStatus } from '../../server/protocol';
import { DaemonUnreachableError } from '../../server/protocol/client';
import type { CommandFunction } from '../command';
import type { daemonStartCommand, daemonStatusCommand, daemonStopCommand } from '../commands';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { duration, table, type Output } from '../output';

/** `corral daemon start`: starts the daemon unless one already serves this home. */
export const start: CommandFunction<typeof daemonStartCommand> = async (ctx) => {
  printStatus(ctx.out, await ctx.call(DaemonStatusRequest, {}));
  return ExitCode.Ok;
};

/** Connects to a running daemon only: false when none answers (a refusal is still an error). */
async function running(ctx: CliContext): Promise<boolean> {
  try {
    await ctx.connection('existing');
    return true;
  } catch (error) {
    if (error instanceof DaemonUnreachableError) return false;
    throw error;
  }
}

/** `corral daemon status`: exit 3 when no daemon runs. */
export const status: CommandFunction<typeof daemonStatusCommand> = async (ctx) => {
  if (!(await running(ctx))) {
    ctx.out.result({ running: false, home: ctx.home }, () => `not running (home ${ctx.home})\n`);
    return ExitCode.DaemonUnavailable;
  }
  printStatus(ctx.out, await ctx.call(DaemonStatusRequest, {}));
  return ExitCode.Ok;
};

/** `corral daemon stop`: graceful stop; waits until the process has exited. Stopping nothing is fine. */
export const stop: CommandFunction<typeof daemonStopCommand> = async (ctx) => {
  if (!(await running(ctx))) {
    ctx.out.result({ running: false, stopped: false, home: ctx.home }, () => 'not running\n');
    return ExitCode.Ok;
  }
  const { pid } = await ctx.call(DaemonStatusRequest, {});
  await ctx.call(DaemonShutdown, {});
  (await ctx.connection()).dispose();
  for (let waited = 0; processExists(pid); waited += 20) {
    if (waited > 15_000) {
      throw new CliError(`the daemon (pid ${pid}) is still running after 15 s`, `kill it with \`kill ${pid}\``);
    }
    await sleep(20);
  }
  ctx.out.result({ running: false, stopped: true, pid, home: ctx.home }, () => `stopped (pid ${pid})\n`);
  return ExitCode.Ok;
};

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function printStatus(out: Output, status: DaemonStatus): void {
  out.result({ running: true, ...status }, (s) =>
    table([
      ['state', out.paint('running', 'green')],
      ['pid', String(s.pid)],
      ['version', `${s.version} (protocol ${s.protocolVersion})`],
      ['home', s.home],
      ['socket', s.socket],
      ['uptime', duration(s.uptimeMs)],
      ['clients', String(s.connections)],
      ['store', `${s.store.lastSeq} writes, schema ${s.store.schemaVersion}, journal ${s.store.journalBytes} bytes`],
    ]),
  );
}
