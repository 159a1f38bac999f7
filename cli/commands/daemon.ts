import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonShutdown, DaemonStatusRequest, type DaemonStatus } from '../../server/protocol';
import { DaemonUnreachableError, type DaemonConnection } from '../../server/protocol/client';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { duration, table, type Output } from '../output';

/** `corral daemon start`: starts the daemon unless one already serves this home. */
export async function start(_options: object, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    printStatus(ctx.out, await connection.rpc.sendRequest(DaemonStatusRequest, {}));
  } finally {
    connection.dispose();
  }
}

/** `corral daemon status`: exit 3 when no daemon runs. */
export async function status(_options: object, ctx: CliContext): Promise<void> {
  let connection: DaemonConnection;
  try {
    connection = await ctx.connectExisting();
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
    ctx.out.result({ running: false, home: ctx.home }, () => `not running (home ${ctx.home})\n`);
    process.exitCode = ExitCode.DaemonUnavailable;
    return;
  }
  try {
    printStatus(ctx.out, await connection.rpc.sendRequest(DaemonStatusRequest, {}));
  } finally {
    connection.dispose();
  }
}

/** `corral daemon stop`: graceful stop; waits until the process has exited. Stopping nothing is fine. */
export async function stop(_options: object, ctx: CliContext): Promise<void> {
  let connection: DaemonConnection;
  try {
    connection = await ctx.connectExisting();
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
    ctx.out.result({ running: false, stopped: false, home: ctx.home }, () => 'not running\n');
    return;
  }
  let pid: number;
  try {
    pid = (await connection.rpc.sendRequest(DaemonStatusRequest, {})).pid;
    await connection.rpc.sendRequest(DaemonShutdown, {});
  } finally {
    connection.dispose();
  }
  for (let waited = 0; processExists(pid); waited += 20) {
    if (waited > 15_000) {
      throw new CliError(`the daemon (pid ${pid}) is still running after 15 s`, `kill it with \`kill ${pid}\``);
    }
    await sleep(20);
  }
  ctx.out.result({ running: false, stopped: true, pid, home: ctx.home }, () => `stopped (pid ${pid})\n`);
}

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
