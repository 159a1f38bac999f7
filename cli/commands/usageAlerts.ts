import { UsageAlerts, type UsageAlert } from '../../server/protocol/usage';
import type { CommandFunction } from '../command';
import type { usageAlertsCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';

/** `corral usage alerts [--ack ID] [--acked] [--all]`: evaluates now, lists open alerts. */
export const alerts: CommandFunction<typeof usageAlertsCommand> = async (ctx, options) => {
  const ack = options.ack === undefined ? undefined : Number(options.ack);
  if (ack !== undefined && !(Number.isInteger(ack) && ack > 0))
    throw new CliError(`--ack needs an alert id, not ${options.ack}`, 'the ids are in the first column of `corral usage alerts`', ExitCode.Usage);
  const result = await ctx.call(UsageAlerts, {
    ...(ack === undefined ? {} : { ack }),
    ...(options.acked ? { includeAcked: true } : {}),
    ...(options.all ? { allUsers: true } : {}),
  });
  ctx.out.result(result, (r) => render(ctx.out, r.alerts, r.acked));
  return ExitCode.Ok;
};

function render(out: Output, list: readonly UsageAlert[], acked: UsageAlert | null): string {
  const head = acked ? `acknowledged alert ${acked.id}: ${acked.message}\n` : '';
  if (list.length === 0) return `${head}no open alerts\n`;
  const rows = list.map((a) => [
    String(a.id),
    a.at.replace('T', ' ').slice(0, 16),
    out.paint(a.severity, a.severity === 'critical' ? 'red' : 'yellow'),
    a.kind,
    a.message + (a.ackedAt ? ` (acknowledged by ${a.ackedBy ?? '?'})` : ''),
  ]);
  return `${head}${table([['ID', 'NOTICED (UTC)', 'SEVERITY', 'KIND', 'WHAT'], ...rows])}acknowledge one with: corral usage alerts --ack ID\n`;
}
