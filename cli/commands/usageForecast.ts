import { UsageForecast, type UsageForecastResult } from '../../server/protocol/usage';
import type { CommandFunction } from '../command';
import type { usageForecastCommand } from '../commands';
import { ExitCode } from '../exitCodes';
import type { Output } from '../output';
import { money } from '../numbers';

/** `corral usage forecast`: the month's spend so far, where it is heading, and the burn rate. */
export const forecast: CommandFunction<typeof usageForecastCommand> = async (ctx, options) => {
  const result = await ctx.call(UsageForecast, options.all ? { allUsers: true } : {});
  ctx.out.result(result, (r) => render(ctx.out, r));
  return ExitCode.Ok;
};

const METHOD: Record<UsageForecastResult['method'], string> = {
  'least-squares': 'least-squares line through the daily spend',
  'damped-trend': "Holt's damped trend over the daily spend",
  'run-rate': 'the average day so far carried forward (under 4 days of history)',
};

function render(out: Output, f: UsageForecastResult): string {
  const lines = [
    `${f.month}: ${money(f.spentUsd)} spent so far`,
    `forecast: ${out.paint(money(f.projectedUsd), 'bold')} (90% interval ${money(f.lowUsd)} – ${money(f.highUsd)})`,
    `method: ${METHOD[f.method]}${f.other ? `; ${f.other.method} says ${money(f.other.projectedUsd)}` : ''}${f.backtestMaeUsd === null ? '' : `; typical daily error ${money(f.backtestMaeUsd)}`} (${f.historyDays} days of history)`,
    `burn rate: ${money(f.burn.usdPerHour)}/h over the last ${f.burn.windowHours} h (${money(f.burn.projectedMonthUsd)} for the month at that pace)`,
  ];
  if (f.budgets.monthUsd !== null) {
    const over = f.projectedUsd > f.budgets.monthUsd;
    lines.push(`monthly budget ${money(f.budgets.monthUsd)}: ${out.paint(over ? 'on course to be exceeded' : 'on course to hold', over ? 'red' : 'green')}`);
  }
  if (f.budgets.dayUsd !== null) lines.push(`daily budget ${money(f.budgets.dayUsd)}`);
  return `${lines.join('\n')}\n`;
}
