import { UsageQuery, type UsageReport } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { usageCommand } from '../commands';
import { ExitCode } from '../exitCodes';
import { table, type Output } from '../output';
import { money, n } from '../numbers';

/** `corral usage [--since 7d] [--by day|model|…]`: tokens and cost from the ledger. */
export const usage: CommandFunction<typeof usageCommand> = async (ctx, options) => {
  const report = await ctx.call(UsageQuery, { since: options.since ?? '30d', by: options.by ?? 'day', ...(options.all ? { allUsers: true } : {}) });
  ctx.out.result(report, (r) => render(ctx.out, r));
  return ExitCode.Ok;
};

function render(out: Output, r: UsageReport): string {
  const since = `since ${r.since.replace('T', ' ').slice(0, 16)} UTC`;
  if (r.total.calls === 0) return `no model calls ${since}\n`;
  const cost = (c: { costUsd: number; unpricedCalls: number; calls: number; replayCalls: number }): string =>
    c.unpricedCalls === c.calls ? 'unknown' : `${money(c.costUsd)}${c.unpricedCalls > 0 ? ` +${c.unpricedCalls} unpriced` : ''}`;
  const marks = (c: { estimatedCalls: number; replayCalls: number }): string =>
    `${c.replayCalls > 0 ? ` (${c.replayCalls} replay)` : ''}${c.estimatedCalls > 0 ? ` (${c.estimatedCalls} estimated)` : ''}`;
  const rows = r.rows.map((row) => [row.key || '-', `${n(row.calls)}${marks(row)}`, n(row.inputTokens), n(row.cacheReadTokens), n(row.outputTokens), cost(row)]);
  const total = [
    out.paint('total', 'bold'),
    `${n(r.total.calls)}${marks(r.total)}`,
    n(r.total.inputTokens),
    n(r.total.cacheReadTokens),
    n(r.total.outputTokens),
    out.paint(cost(r.total), 'bold'),
  ];
  const notes = [
    r.total.replayCalls > 0 ? 'replay calls played back a transcript: no model was called, nothing was spent' : '',
    r.total.estimatedCalls > 0 ? 'estimated calls: the provider reported no usage; Corral counted the tokens' : '',
    r.total.unpricedCalls > 0 ? 'unpriced calls: no price is known for the model (add one under "prices" in config.json)' : '',
  ].filter((s) => s !== '');
  return `${since}\n${table([[r.by.toUpperCase(), 'CALLS', 'INPUT', 'CACHED', 'OUTPUT', 'COST'], ...rows, total])}${notes.map((s) => `${s}\n`).join('')}`;
}
