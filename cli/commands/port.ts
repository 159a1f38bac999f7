import { SessionPort, SessionPorts } from '../../server/protocol/ports';
import type { CommandFunction } from '../command';
import type { portCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table } from '../output';

/** `corral port ID [PORT]`: forward a port of the jail to 127.0.0.1 (through the daemon), or list the forwards. */
export const port: CommandFunction<typeof portCommand> = async (ctx, { id, port: portText }) => {
  if (portText === undefined) {
    const list = await ctx.call(SessionPorts, { session: id });
    ctx.out.result(list, (l) =>
      l.length === 0 ? 'no ports forwarded (`corral port ID PORT`)\n' : table([['PORT', 'ON THE HOST'], ...l.map((f) => [String(f.port), `${f.host}:${f.hostPort}`])]),
    );
    return ExitCode.Ok;
  }
  const number = Number(portText);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new CliError(`${portText} is not a port`, 'give a number from 1 to 65535', ExitCode.Usage);
  const forward = await ctx.call(SessionPort, { session: id, port: number });
  ctx.out.result(forward, (f) => `${f.host}:${f.hostPort}\n`);
  return ExitCode.Ok;
};
