import * as fs from 'node:fs';
import { DaemonDoctor, type Check } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import type { CommandFunction } from '../command';
import type { doctorCommand } from '../commands';
import { toCliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';

const MIN_NODE = [20, 15] as const;

/** `corral doctor`: every check with its status and, when not ok, what to do. Exit 1 if any fails. */
export const doctor: CommandFunction<typeof doctorCommand> = async (ctx) => {
  const checks: Check[] = [nodeCheck()];
  const paths = homePaths(ctx.home);
  checks.push(modeCheck('home', 'State directory', ctx.home, 0o700, true));
  try {
    const connection = await ctx.connection();
    checks.push({
      id: 'daemon',
      title: 'Daemon',
      status: 'ok',
      detail: `version ${connection.hello.serverVersion}, connected as ${connection.hello.identity.user}`,
    });
    checks.push(modeCheck('token', 'Token file', paths.token, 0o600, false));
    checks.push(modeCheck('socket', 'Socket', paths.socket, 0o600, false));
    checks.push(...(await ctx.call(DaemonDoctor, {})).checks);
  } catch (error) {
    const failure = toCliError(error);
    checks.push({ id: 'daemon', title: 'Daemon', status: 'fail', detail: failure.message, hint: failure.hint });
  }
  const ok = !checks.some((c) => c.status === 'fail');
  ctx.out.result({ ok, checks }, () => render(ctx.out, checks));
  return ok ? ExitCode.Ok : ExitCode.Failure;
};

function render(out: Output, checks: Check[]): string {
  const mark = { ok: out.paint('ok', 'green'), warn: out.paint('warn', 'yellow'), fail: out.paint('FAIL', 'red') };
  const rows = checks.map((c) => [mark[c.status], c.title, c.detail]);
  const hints = checks
    .filter((c) => c.hint !== undefined)
    .map((c) => `  ${c.title}: ${out.paint('hint:', 'bold')} ${c.hint}\n`)
    .join('');
  return table(rows) + (hints ? `\n${hints}` : '');
}

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    id: 'node',
    title: 'Node.js',
    status: ok ? 'ok' : 'fail',
    detail: `v${process.versions.node}${ok ? '' : ` (needs ${MIN_NODE.join('.')} or newer)`}`,
    ...(ok ? {} : { hint: 'install Node.js 20.15 or newer' }),
  };
}

/** A file that must exist and be no more open than `mode` (the home may not exist before first start). */
function modeCheck(id: string, title: string, file: string, mode: number, mayBeMissing: boolean): Check {
  let actual: number;
  try {
    actual = fs.statSync(file).mode & 0o777;
  } catch {
    return mayBeMissing
      ? { id, title, status: 'ok', detail: `${file} (created on first start)` }
      : { id, title, status: 'fail', detail: `${file} is missing`, hint: 'restart the daemon: `corral daemon stop`, then any command' };
  }
  const octal = (n: number): string => n.toString(8).padStart(4, '0');
  if ((actual & ~mode) !== 0) {
    return {
      id,
      title,
      status: 'fail',
      detail: `${file} has mode ${octal(actual)}, others can use it`,
      hint: `chmod ${octal(mode)} ${file}`,
    };
  }
  return { id, title, status: 'ok', detail: `${file} (${octal(actual)})` };
}
